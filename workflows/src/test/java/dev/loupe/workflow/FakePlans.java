package dev.loupe.workflow;

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
