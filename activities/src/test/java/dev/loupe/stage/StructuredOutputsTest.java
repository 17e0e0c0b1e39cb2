package dev.loupe.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.FailureType;
import dev.loupe.provider.ProviderException;
import org.junit.jupiter.api.Test;

class StructuredOutputsTest {
  private final StructuredOutputs outputs = new StructuredOutputs(new ObjectMapper());

  @Test
  void parsesQuestionsUpToTheRequestedCount() throws ProviderException {
    String text =
        "{\"questions\":[{\"question\":\"Why?\",\"type\":\"reasoning\"},"
            + "{\"question\":\"How many?\",\"type\":\"counting\"}]}";
    assertThat(outputs.parseQuestions(text, 1))
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.text()).isEqualTo("Why?");
              assertThat(q.type()).isEqualTo("reasoning");
            });
    assertThat(outputs.parseQuestions(text, 5)).hasSize(2);
  }

  @Test
  void malformedOutputIsClassifiedMalformed() {
    for (String bad :
        new String[] {
          "not json", "[]", "{\"questions\":[]}", "{\"questions\":[{\"type\":\"x\"}]}"
        }) {
      assertThatThrownBy(() -> outputs.parseQuestions(bad, 1))
          .isInstanceOfSatisfying(
              ProviderException.class,
              e -> assertThat(e.type()).isEqualTo(FailureType.MALFORMED_OUTPUT));
    }
    assertThatThrownBy(() -> outputs.parseVerdict("{\"meaningful\":\"yes\",\"correct\":true}"))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.getMessage()).contains("meaningful"));
  }

  @Test
  void verdictParses() throws ProviderException {
    StructuredOutputs.Verdict verdict =
        outputs.parseVerdict("{\"meaningful\":true,\"correct\":false,\"detail\":\"wrong count\"}");
    assertThat(verdict.meaningful()).isTrue();
    assertThat(verdict.correct()).isFalse();
    assertThat(verdict.detail()).isEqualTo("wrong count");
  }

  @Test
  void schemasAreStrictObjects() {
    assertThat(outputs.verdictSchema().name()).isEqualTo("verdict");
    assertThat(outputs.verdictSchema().schema().get("additionalProperties").asBoolean()).isFalse();
    assertThat(outputs.questionsSchema().schema().at("/properties/questions/items/required"))
        .hasSize(2);
  }

  @Test
  void multipleChoiceQuestionsKeepTheirOptions() throws Exception {
    var questions =
        outputs.parseQuestions(
            "{\"questions\":[{\"question\":\"Which?\",\"options\":[\" red \",\"blue\"]}]}", 3);
    org.assertj.core.api.Assertions.assertThat(questions.get(0).options())
        .containsExactly("red", "blue");
    org.assertj.core.api.Assertions.assertThat(
            outputs.choiceQuestionsSchema().schema().at("/properties/questions/items/required"))
        .hasSize(2);
  }

  @Test
  void optionsThatCannotBeChosenAreMalformed() {
    for (String options : java.util.List.of("[\"only\"]", "[\"a\",\"A\"]", "[\"a\",\" \"]")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  outputs.parseQuestions(
                      "{\"questions\":[{\"question\":\"Q?\",\"options\":" + options + "}]}", 1))
          .as(options)
          .isInstanceOf(dev.loupe.provider.ProviderException.class);
    }
  }
}
