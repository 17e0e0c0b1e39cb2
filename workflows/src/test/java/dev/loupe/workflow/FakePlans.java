package dev.loupe.workflow;

import dev.loupe.contract.BatchSettings;
import dev.loupe.contract.Lane;
import dev.loupe.contract.RunPlan;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Plans for workflow tests, on the fake endpoint {@code fake}. */
final class FakePlans {
  static final RunPlan.CheckSettings SETTINGS = new RunPlan.CheckSettings(10, 200, 0.3, 1);

  private FakePlans() {}

  static RunPlan allava() {
    return withQuestions(1);
  }

  static RunPlan withQuestions(int questions) {
    Map<String, RunPlan.StagePlan> stages = new LinkedHashMap<>();
    stages.put(RunPlan.DESCRIBE, stage(1, List.of()));
    stages.put(RunPlan.ASK, stage(questions, List.of()));
    stages.put(RunPlan.ANSWER, stage(1, List.of()));
    stages.put(RunPlan.EVALUATE, stage(1, List.of("self_evaluation")));
    return plan(stages);
  }

  /** describe (with caption checks) → ask → answer (two templates) → [reason] → evaluate. */
  static RunPlan withChecks(List<String> captionChecks, List<String> qaChecks, boolean reason) {
    Map<String, RunPlan.StagePlan> stages = new LinkedHashMap<>();
    stages.put(RunPlan.DESCRIBE, stage(1, captionChecks));
    stages.put(RunPlan.ASK, stage(1, List.of()));
    stages.put(
        RunPlan.ANSWER,
        new RunPlan.StagePlan(
            List.of("fake"),
            "fake-model",
            List.of("answer/t1", "answer/t2"),
            1,
            256,
            List.of(),
            null));
    if (reason) {
      stages.put(RunPlan.REASON, stage(1, List.of()));
    }
    stages.put(RunPlan.EVALUATE, stage(1, qaChecks));
    return plan(stages);
  }

  /** OCR, describe with both caption checks, ask, answer, reason and every QA check. */
  static RunPlan everyCheck() {
    Map<String, RunPlan.StagePlan> stages = new LinkedHashMap<>();
    stages.put(RunPlan.OCR, stage(1, List.of()));
    stages.putAll(
        withChecks(
                List.of(CaptionChecks.LENGTH, CaptionChecks.REPETITION),
                List.of(
                    QaPipeline.SELF_EVALUATION,
                    QaPipeline.MULTI_PROMPT,
                    QaPipeline.MULTI_CONTEXT,
                    QaPipeline.BLIND,
                    QaPipeline.GRAMMAR),
                true)
            .stages());
    return plan(stages);
  }

  /** ALLaVA's single call (caption, question, answer), a caption check, then self-evaluation. */
  static RunPlan singleCall() {
    Map<String, RunPlan.StagePlan> stages = new LinkedHashMap<>();
    stages.put(RunPlan.CAPTION_QA, stage(1, List.of(CaptionChecks.LENGTH)));
    stages.put(RunPlan.EVALUATE, stage(1, List.of(QaPipeline.SELF_EVALUATION)));
    return plan(stages);
  }

  /** {@link #allava()} with its describe stage in the batch lane of endpoint {@code fake}. */
  static RunPlan describeInBatchLane() {
    Map<String, RunPlan.StagePlan> stages = new LinkedHashMap<>(allava().stages());
    stages.put(
        RunPlan.DESCRIBE,
        new RunPlan.StagePlan(
            List.of("fake"),
            "fake-model",
            List.of("t1"),
            1,
            256,
            List.of(),
            null,
            Lane.BATCH,
            null,
            "file:///out/.loupe/batch/"));
    return new RunPlan(
        "test",
        "hash",
        512,
        100_000_000L,
        stages,
        Map.of(),
        "en",
        0,
        SETTINGS,
        null,
        Map.of("fake", new BatchSettings(10, 1_000_000, 0, 1)));
  }

  static RunPlan plan(Map<String, RunPlan.StagePlan> stages) {
    return new RunPlan("test", "hash", 512, 100_000_000L, stages, Map.of(), "en", 0, SETTINGS);
  }

  static RunPlan.StagePlan stage(int questions, List<String> checks) {
    return onEndpoints(List.of("fake"), questions, checks);
  }

  static RunPlan.StagePlan onEndpoints(List<String> endpoints, int questions, List<String> checks) {
    return new RunPlan.StagePlan(
        endpoints, "fake-model", List.of("t1"), questions, 256, checks, null);
  }
}
