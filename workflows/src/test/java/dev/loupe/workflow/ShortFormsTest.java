package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contract.Question;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.ShortTask;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShortFormsTest {
  private static final List<String> OPTIONS = List.of("a red car", "a blue bus", "a cat");

  @Test
  void choiceAcceptsALetterInItsUsualWritingsOrTheOptionText() {
    for (String answer : List.of("B", "b", "(B)", "B.", "B)", " B. a blue bus ", "A blue bus.")) {
      assertThat(ShortForms.choice(answer, OPTIONS)).as(answer).isEqualTo(1);
    }
    assertThat(ShortForms.choice("A cat", OPTIONS)).isEqualTo(2);
    assertThat(ShortForms.choice("A", OPTIONS)).isZero();
  }

  @Test
  void choiceRefusesOtherAnswers() {
    for (String answer : List.of("D", "B and C", "a bus", "B. a cat", "")) {
      assertThat(ShortForms.choice(answer, OPTIONS)).as(answer).isEqualTo(-1);
    }
  }

  @Test
  void wordsCountLatinWordsAndHalfAWordPerHanCharacter() {
    assertThat(ShortForms.words("Three bars")).isEqualTo(2);
    assertThat(ShortForms.words("don't stop-sign, 42")).isEqualTo(3);
    assertThat(ShortForms.words("红色的汽车")).isEqualTo(2.5);
    assertThat(ShortForms.words("")).isZero();
  }

  @Test
  void emptyShortAnswerFails() {
    assertThat(
            ShortForms.answerForm(
                    new Question("What?", ShortTask.SHORT_ANSWER), " . ", FakePlans.SETTINGS)
                .pass())
        .isFalse();
  }

  @Test
  void longFormPairsAndCaptionsPass() {
    RunPlan.CheckSettings settings = FakePlans.SETTINGS;
    assertThat(
            ShortForms.answerForm(new Question("Why?", "reasoning"), "word ".repeat(99), settings)
                .pass())
        .isTrue();
    assertThat(ShortForms.captionForm("word ".repeat(99), null, settings).pass()).isTrue();
  }

  @Test
  void limitsComeFromTheSettings() {
    RunPlan.CheckSettings two = new RunPlan.CheckSettings(1, 9, 0.3, 1, null, 2, 3);
    Question question = new Question("What?", ShortTask.SHORT_ANSWER);
    assertThat(ShortForms.answerForm(question, "red car", two).pass()).isTrue();
    assertThat(ShortForms.answerForm(question, "a red car", two).pass()).isFalse();
    assertThat(ShortForms.captionForm("one two three four", ShortTask.BRIEF_CAPTION, two).pass())
        .isFalse();
  }
}
