package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.FailureType;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.PersistRequest;
import dev.loupe.contract.QaPair;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.ShortTask;
import io.temporal.testing.WorkflowReplayer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The perplexity check and InstructBLIP's short-form tasks in the image workflow, against the fake
 * API pool: scores are recorded with their verdicts, the limit drops what it should, a scorer that
 * cannot score refuses the start, and short-form questions and answers are held to their form.
 */
class ShortFormWorkflowTest {
  private static final DatasetRequest REQUEST =
      DatasetRequest.of("file:///images/", "file:///out/");

  private static PersistRequest runOne(RunPlan plan, Consumer<WorkflowTestHarness> setUp) {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.plan = plan;
      harness.cpu.addImages(1);
      setUp.accept(harness);
      harness.run("short-forms", REQUEST);
      return harness.cpu.persisted.get(FakeCpuActivities.sha(0));
    }
  }

  private static RunPlan withPerplexity(
      List<String> captionChecks, Double maxPerplexity, Double keepLowestShare) {
    RunPlan base = FakePlans.withChecks(captionChecks, List.of("self_evaluation"), false);
    RunPlan.CheckSettings s = FakePlans.SETTINGS;
    return new RunPlan(
        base.recipe(),
        base.recipeHash(),
        base.minShortSide(),
        base.maxPixels(),
        base.stages(),
        base.templateHashes(),
        "en",
        0,
        new RunPlan.CheckSettings(
            s.captionMinChars(),
            s.captionMaxChars(),
            s.maxRepetition(),
            s.consistencyPrompts(),
            new RunPlan.Perplexity("fake", "tiny", maxPerplexity, keepLowestShare),
            0,
            0));
  }

  @Test
  void captionAboveTheLimitIsRejectedWithItsScoreRecorded() {
    PersistRequest record =
        runOne(
            withPerplexity(List.of("perplexity"), 50.0, null),
            h -> h.api.perplexityOf = t -> 80.25);
    assertThat(record.status()).isEqualTo(ImageStatus.REJECTED);
    assertThat(record.reason()).isEqualTo("perplexity");
    assertThat(record.captionChecks().get("perplexity").pass()).isFalse();
    assertThat(record.captionChecks().get("perplexity").score()).isEqualTo(80.25);
    assertThat(record.captionChecks().get("perplexity").threshold()).isEqualTo(50.0);
    assertThat(record.captionChecks().get("perplexity").detail())
        .contains("perplexity 80.25", "above the limit 50.00");
    assertThat(record.qa()).isEmpty();
    assertThat(record.calls()).extracting(c -> c.stage()).contains("perplexity");
  }

  @Test
  void captionWithinTheLimitGoesOnWithItsScoreRecorded() {
    PersistRequest record =
        runOne(
            withPerplexity(List.of("perplexity"), 50.0, null), h -> h.api.perplexityOf = t -> 20.0);
    assertThat(record.status()).isEqualTo(ImageStatus.ACCEPTED);
    assertThat(record.captionChecks().get("perplexity").pass()).isTrue();
    assertThat(record.captionChecks().get("perplexity").score()).isEqualTo(20.0);
    assertThat(record.qa()).hasSize(1);
  }

  @Test
  void shareModePassesForNowAndSaysTheExportDecides() {
    PersistRequest record =
        runOne(
            withPerplexity(List.of("perplexity"), null, 0.2), h -> h.api.perplexityOf = t -> 9e6);
    assertThat(record.status()).isEqualTo(ImageStatus.ACCEPTED);
    assertThat(record.captionChecks().get("perplexity").score()).isEqualTo(9e6);
    assertThat(record.captionChecks().get("perplexity").threshold()).isNull();
    assertThat(record.captionChecks().get("perplexity").detail())
        .contains("the run keeps its lowest 20% at export");
  }

  @Test
  void nonFiniteScoreFailsWithoutAScore() {
    PersistRequest record =
        runOne(
            withPerplexity(List.of("perplexity"), 50.0, null), h -> h.api.perplexityOf = t -> null);
    assertThat(record.status()).isEqualTo(ImageStatus.REJECTED);
    assertThat(record.captionChecks().get("perplexity").score()).isNull();
    assertThat(record.captionChecks().get("perplexity").detail()).contains("no finite");
  }

  @Test
  void captionThatFailedACheaperCheckIsNotScored() {
    WorkflowTestHarness[] seen = new WorkflowTestHarness[1];
    PersistRequest record =
        runOne(
            withPerplexity(List.of("caption_length", "perplexity"), 50.0, null),
            h -> {
              h.api.caption = "short";
              seen[0] = h;
            });
    assertThat(record.reason()).isEqualTo("caption_length");
    assertThat(record.captionChecks()).doesNotContainKey("perplexity");
    // Only the start-time probe reached the scorer.
    assertThat(seen[0].api.scores).singleElement().satisfies(s -> assertThat(s.image()).isNull());
  }

  @Test
  void scorerThatCannotScoreRefusesTheStartNamingTheEndpoint() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.plan = withPerplexity(List.of("perplexity"), 50.0, null);
      harness.cpu.addImages(1);
      harness.api.scoreFailure = FailureType.BAD_REQUEST;
      assertThatThrownBy(() -> harness.run("no-logprobs", REQUEST))
          .rootCause()
          .hasMessageContaining(
              "recipe "
                  + harness.cpu.plan.recipe()
                  + ": endpoint 'fake' cannot score captions for the perplexity check:"
                  + " scoreCaption failed: BAD_REQUEST");
      assertThat(harness.cpu.persisted).isEmpty();
    }
  }

  private static RunPlan shortForm(String captionTask, String questionTask) {
    Map<String, RunPlan.StagePlan> stages = new LinkedHashMap<>();
    stages.put(RunPlan.DESCRIBE, task(FakePlans.stage(1, List.of("caption_form")), captionTask));
    stages.put(RunPlan.ASK, task(FakePlans.stage(1, List.of()), questionTask));
    stages.put(RunPlan.ANSWER, task(FakePlans.stage(1, List.of()), questionTask));
    stages.put(RunPlan.EVALUATE, FakePlans.stage(1, List.of("answer_form")));
    return FakePlans.plan(stages);
  }

  private static RunPlan.StagePlan task(RunPlan.StagePlan stage, String task) {
    return new RunPlan.StagePlan(
        stage.endpoints(),
        stage.model(),
        stage.templates(),
        stage.questions(),
        stage.maxOutputTokens(),
        stage.checks(),
        stage.pool(),
        stage.lane(),
        stage.cache(),
        stage.batchSpool(),
        task);
  }

  @Test
  void shortAnswerWithinTheWordLimitIsAcceptedAndTyped() {
    PersistRequest record =
        runOne(
            shortForm(ShortTask.BRIEF_CAPTION, ShortTask.SHORT_ANSWER),
            h -> {
              h.api.caption = "A bar chart in blue and red.";
              h.api.answerer = request -> "Three bars";
            });
    assertThat(record.status()).isEqualTo(ImageStatus.ACCEPTED);
    assertThat(record.caption().task()).isEqualTo(ShortTask.BRIEF_CAPTION);
    assertThat(record.captionChecks().get("caption_form").pass()).isTrue();
    QaPair pair = record.qa().get(0);
    assertThat(pair.type()).isEqualTo(ShortTask.SHORT_ANSWER);
    assertThat(pair.checks().get("answer_form").detail())
        .isEqualTo("2 words (short answer: 1 to 5)");
  }

  @Test
  void longAnswerToAShortAnswerQuestionIsRejected() {
    PersistRequest record =
        runOne(
            shortForm(ShortTask.BRIEF_CAPTION, ShortTask.SHORT_ANSWER),
            h -> {
              h.api.caption = "A bar chart.";
              h.api.answerer = request -> "The chart shows three bars of different heights.";
            });
    assertThat(record.status()).isEqualTo(ImageStatus.REJECTED);
    assertThat(record.reason()).isEqualTo("answer_form");
  }

  @Test
  void longCaptionForABriefCaptionTaskIsRejected() {
    PersistRequest record =
        runOne(
            shortForm(ShortTask.BRIEF_CAPTION, ShortTask.SHORT_ANSWER),
            h -> h.api.caption = "word ".repeat(31));
    assertThat(record.reason()).isEqualTo("caption_form");
    assertThat(record.captionChecks().get("caption_form").detail())
        .isEqualTo("31 words (brief caption: at most 30)");
  }

  @Test
  void multipleChoiceQuestionShowsItsOptionsAndTheAnswerMustNameOne() {
    PersistRequest accepted =
        runOne(
            shortForm(null, ShortTask.MULTIPLE_CHOICE),
            h -> {
              h.api.options = List.of("red", "blue", "green");
              h.api.answerer = request -> "B";
            });
    assertThat(accepted.status()).isEqualTo(ImageStatus.ACCEPTED);
    QaPair pair = accepted.qa().get(0);
    assertThat(pair.type()).isEqualTo(ShortTask.MULTIPLE_CHOICE);
    assertThat(pair.question()).isEqualTo("Question 0?\nA. red\nB. blue\nC. green");
    assertThat(pair.checks().get("answer_form").detail()).isEqualTo("option B: blue");

    PersistRequest rejected =
        runOne(
            shortForm(null, ShortTask.MULTIPLE_CHOICE),
            h -> {
              h.api.options = List.of("red", "blue", "green");
              h.api.answerer = request -> "purple";
            });
    assertThat(rejected.reason()).isEqualTo("answer_form");
  }

  /**
   * Determinism of the new steps: a run with the perplexity check (the start-time probe, the
   * scoring call) and short-form tasks replays, dataset and image workflow alike. Plans without
   * them make no new command, so histories recorded before these steps replay as they did ({@link
   * DatasetReplayTest}).
   */
  @Test
  void aRunWithThePerplexityCheckAndShortFormsReplays() throws Exception {
    RunPlan scored = withPerplexity(List.of("caption_length", "perplexity"), 50.0, 0.5);
    Map<String, RunPlan.StagePlan> stages = new LinkedHashMap<>(scored.stages());
    stages.put(RunPlan.ASK, task(stages.get(RunPlan.ASK), ShortTask.SHORT_ANSWER));
    stages.put(RunPlan.ANSWER, task(stages.get(RunPlan.ANSWER), ShortTask.SHORT_ANSWER));
    RunPlan plan =
        new RunPlan(
            scored.recipe(),
            scored.recipeHash(),
            scored.minShortSide(),
            scored.maxPixels(),
            stages,
            scored.templateHashes(),
            "en",
            0,
            scored.checkSettings());
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.plan = plan;
      harness.cpu.addImages(2);
      harness.api.caption = "A bar chart in blue and red, with three bars of different heights.";
      harness.api.answerer = request -> "Three bars";
      harness.run("replay-scored", REQUEST);
      assertThat(harness.api.scores).hasSize(3); // the probe, then one per image
      WorkflowReplayer.replayWorkflowExecution(
          harness.client().fetchHistory("replay-scored"), DatasetWorkflowImpl.class);
      WorkflowReplayer.replayWorkflowExecution(
          harness
              .client()
              .fetchHistory(
                  DatasetWorkflowImpl.childId("replay-scored", FakeCpuActivities.sha(0), 0)),
          ImageWorkflowImpl.class);
    }
  }
}
