package dev.loupe.workflow;

import dev.loupe.contract.RunPlan;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Plans for workflow tests, on the fake endpoint {@code fake}. */
final class FakePlans {
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
    return new RunPlan("allava", "hash", 512, 100_000_000L, stages, Map.of());
  }

  private static RunPlan.StagePlan stage(int questions, List<String> checks) {
    return new RunPlan.StagePlan(
        List.of("fake"), "fake-model", List.of("t1"), questions, 256, checks, null);
  }
}
