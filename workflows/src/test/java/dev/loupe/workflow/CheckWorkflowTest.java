package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contract.AnswerContext;
import dev.loupe.contract.AnswerRequest;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.PersistRequest;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.SourceItem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every check, made to pass and to fail by the fakes; acceptance follows the checks. */
class CheckWorkflowTest {
  private static final DatasetRequest REQUEST =
      DatasetRequest.of("file:///images/", "file:///out/");

  private static PersistRequest runOne(RunPlan plan, Consumer<WorkflowTestHarness> setUp) {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.plan = plan;
      harness.cpu.addImages(1);
      setUp.accept(harness);
      harness.run("checks", REQUEST);
      return harness.cpu.persisted.get(FakeCpuActivities.sha(0));
    }
  }

  private static void assertOutcome(PersistRequest record, String check, boolean pass) {
    if (pass) {
      assertThat(record.status()).isEqualTo(ImageStatus.ACCEPTED);
    } else {
      assertThat(record.status()).isEqualTo(ImageStatus.REJECTED);
      assertThat(record.reason()).isEqualTo(check);
    }
    if (record.qa() != null
        && !record.qa().isEmpty()
        && record.qa().get(0).checks().containsKey(check)) {
      assertThat(record.qa().get(0).checks().get(check).pass()).isEqualTo(pass);
      assertThat(record.qa().get(0).accepted()).isEqualTo(pass);
    } else {
      assertThat(record.captionChecks().get(check).pass()).isEqualTo(pass);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void selfEvaluationDecides(boolean pass) {
    PersistRequest record =
        runOne(
            FakePlans.withChecks(List.of(), List.of("self_evaluation"), false),
            h -> h.api.verdictCorrect = pass);
    assertOutcome(record, "self_evaluation", pass);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void multiPromptConsistencyAnswersUnderAnotherWordingAndCompares(boolean agree) {
    WorkflowTestHarness[] seen = new WorkflowTestHarness[1];
    PersistRequest record =
        runOne(
            FakePlans.withChecks(List.of(), List.of("multi_prompt_consistency"), false),
            h -> {
              h.api.agreeByCheck.put("multi_prompt_consistency", agree);
              seen[0] = h;
            });
    assertOutcome(record, "multi_prompt_consistency", agree);
    assertThat(seen[0].api.answers)
        .extracting(AnswerRequest::template)
        .containsExactlyInAnyOrder(null, "answer/t2");
    assertThat(seen[0].api.comparisons)
        .singleElement()
        .satisfies(c -> assertThat(c.others()).hasSize(1));
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void multiContextConsistencyAnswersWithOtherContext(boolean agree) {
    WorkflowTestHarness[] seen = new WorkflowTestHarness[1];
    Map<String, RunPlan.StagePlan> stages =
        new LinkedHashMap<>(
            FakePlans.withChecks(List.of(), List.of("multi_context_consistency"), false).stages());
    Map<String, RunPlan.StagePlan> withOcr = new LinkedHashMap<>();
    withOcr.put(RunPlan.OCR, FakePlans.stage(1, List.of()));
    withOcr.putAll(stages);
    PersistRequest record =
        runOne(
            FakePlans.plan(withOcr),
            h -> {
              h.api.agreeByCheck.put("multi_context_consistency", agree);
              seen[0] = h;
            });
    assertOutcome(record, "multi_context_consistency", agree);
    assertThat(seen[0].api.answers)
        .extracting(AnswerRequest::context)
        .containsExactlyInAnyOrder(
            AnswerContext.FULL, AnswerContext.IMAGE_ONLY, AnswerContext.OCR_ONLY);
    assertThat(record.ocr()).contains("TOTAL 42.00");
    assertThat(seen[0].api.answers).allSatisfy(a -> assertThat(a.ocr()).contains("TOTAL 42.00"));
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void questionAnsweredCorrectlyWithoutTheImageIsDropped(boolean blindAgrees) {
    WorkflowTestHarness[] seen = new WorkflowTestHarness[1];
    PersistRequest record =
        runOne(
            FakePlans.withChecks(List.of(), List.of("answerable_without_image"), false),
            h -> {
              h.api.agreeByCheck.put("answerable_without_image", blindAgrees);
              seen[0] = h;
            });
    assertOutcome(record, "answerable_without_image", !blindAgrees);
    assertThat(seen[0].api.answers)
        .extracting(AnswerRequest::context)
        .contains(AnswerContext.BLIND);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void grammarErrorsDropThePair(boolean grammatical) {
    PersistRequest record =
        runOne(
            FakePlans.withChecks(List.of(), List.of("grammar"), false),
            h -> h.api.grammatical = grammatical);
    assertOutcome(record, "grammar", grammatical);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void captionLengthBoundsDecideCaptionOnlyRecipes(boolean withinBounds) {
    Map<String, RunPlan.StagePlan> stages = new LinkedHashMap<>();
    stages.put(RunPlan.DESCRIBE, FakePlans.stage(1, List.of("caption_length")));
    PersistRequest record =
        runOne(
            FakePlans.plan(stages),
            h -> h.api.caption = withinBounds ? "A red bus parked by a kerb." : "Bus.");
    assertOutcome(record, "caption_length", withinBounds);
    assertThat(record.captionChecks().get("caption_length").detail()).contains("characters");
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void loopingCaptionFailsRepetition(boolean varied) {
    Map<String, RunPlan.StagePlan> stages = new LinkedHashMap<>();
    stages.put(RunPlan.DESCRIBE, FakePlans.stage(1, List.of("caption_repetition")));
    String caption =
        varied
            ? "A red bus waits at a stop while two people cross the wet street."
            : "the red bus is here the red bus is here the red bus is here the red bus is here";
    PersistRequest record = runOne(FakePlans.plan(stages), h -> h.api.caption = caption);
    assertOutcome(record, "caption_repetition", varied);
  }

  @Test
  void failedCaptionCheckSkipsTheQuestionsAndTheirCost() {
    WorkflowTestHarness[] seen = new WorkflowTestHarness[1];
    PersistRequest record =
        runOne(
            FakePlans.withChecks(List.of("caption_length"), List.of("self_evaluation"), false),
            h -> {
              h.api.caption = "Short.";
              seen[0] = h;
            });
    assertThat(record.reason()).isEqualTo("caption_length");
    assertThat(seen[0].api.answers).isEmpty();
    assertThat(record.calls()).hasSize(1);
  }

  @Test
  void reasonStageRecordsARationalePerAnswer() {
    PersistRequest record =
        runOne(FakePlans.withChecks(List.of(), List.of("self_evaluation"), true), h -> {});
    assertThat(record.qa())
        .singleElement()
        .satisfies(pair -> assertThat(pair.reasoning()).startsWith("Because"));
  }

  @Test
  void singleCallModeMakesCaptionQuestionAndAnswerInOneCall() {
    Map<String, RunPlan.StagePlan> stages = new LinkedHashMap<>();
    stages.put(RunPlan.CAPTION_QA, FakePlans.stage(1, List.of()));
    stages.put(RunPlan.EVALUATE, FakePlans.stage(1, List.of("self_evaluation")));
    WorkflowTestHarness[] seen = new WorkflowTestHarness[1];
    PersistRequest record = runOne(FakePlans.plan(stages), h -> seen[0] = h);
    assertThat(record.status()).isEqualTo(ImageStatus.ACCEPTED);
    assertThat(record.caption().text()).isNotBlank();
    assertThat(record.qa())
        .singleElement()
        .satisfies(
            pair -> {
              assertThat(pair.question()).isEqualTo("What does the chart compare?");
              assertThat(pair.answer()).isEqualTo("It compares three quarters.");
            });
    assertThat(record.calls()).extracting(c -> c.stage()).containsExactly("caption_qa", "evaluate");
    assertThat(seen[0].api.answers).isEmpty();
  }

  @Test
  void capFusionMergesTheAltTextOnlyWhenThereIsOne() {
    Map<String, RunPlan.StagePlan> stages = new LinkedHashMap<>();
    stages.put(RunPlan.DESCRIBE, FakePlans.stage(1, List.of()));
    stages.put(RunPlan.FUSE, FakePlans.stage(1, List.of()));
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.plan = FakePlans.plan(stages);
      harness.cpu.source.add(
          new SourceItem(
              "file:///a.png", FakeCpuActivities.sha(1), 1, "Quarterly sales 2024", "a", "en"));
      harness.cpu.source.add(SourceItem.of("file:///b.png", FakeCpuActivities.sha(2), 1));
      harness.run("fuse", REQUEST);
      assertThat(harness.cpu.persisted.get(FakeCpuActivities.sha(1)).caption().text())
          .endsWith("It is titled 'Quarterly sales 2024'.");
      assertThat(harness.cpu.persisted.get(FakeCpuActivities.sha(2)).caption().text())
          .doesNotContain("titled");
      assertThat(harness.api.fuses).singleElement();
    }
  }

  @Test
  void stageFallsBackToTheNextEndpointWhenTheFirstIsDown() {
    Map<String, RunPlan.StagePlan> stages = new LinkedHashMap<>();
    stages.put(RunPlan.DESCRIBE, FakePlans.onEndpoints(List.of("down", "fake"), 1, List.of()));
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.plan = FakePlans.plan(stages);
      harness.cpu.addImages(1);
      harness.run("fallback", REQUEST);
      PersistRequest record = harness.cpu.persisted.get(FakeCpuActivities.sha(0));
      assertThat(record.status()).isEqualTo(ImageStatus.ACCEPTED);
      assertThat(record.calls())
          .singleElement()
          .satisfies(c -> assertThat(c.endpoint()).isEqualTo("fake"));
      assertThat(harness.down.calls.get()).isEqualTo(WorkflowTestHarness.RETRY.maximumAttempts());
    }
  }

  @Test
  void refusalIsNotAReasonToFallBack() {
    Map<String, RunPlan.StagePlan> stages = new LinkedHashMap<>();
    stages.put(RunPlan.DESCRIBE, FakePlans.onEndpoints(List.of("down", "fake"), 1, List.of()));
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.plan = FakePlans.plan(stages);
      harness.cpu.addImages(1);
      harness.down.describeFailure = dev.loupe.contract.FailureType.REFUSED;
      harness.run("no-fallback", REQUEST);
      PersistRequest record = harness.cpu.persisted.get(FakeCpuActivities.sha(0));
      assertThat(record.reason()).isEqualTo("refused");
      assertThat(harness.api.calls.get()).isZero();
    }
  }
}
