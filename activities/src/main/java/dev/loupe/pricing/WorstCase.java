package dev.loupe.pricing;

import dev.loupe.contract.RunPlan;
import dev.loupe.contract.RunPlan.StagePlan;
import java.util.Map;

/**
 * The most one image of a plan can cost, which a run with a budget reserves for every image in
 * flight: each API stage's calls per image, each at its lane's price for {@link
 * #INPUT_TOKENS_PER_CALL} input tokens and the stage's whole output cap. Deliberately high: it
 * bounds an overshoot, it does not predict a bill.
 */
public final class WorstCase {
  /** A full-size image (1600 tokens at most) and a long prompt with caption and OCR context. */
  static final long INPUT_TOKENS_PER_CALL = 4_000;

  private WorstCase() {}

  /** USD; stages on the captioner pool cost nothing. */
  public static double perImage(RunPlan plan, PriceTable prices) {
    int questions = plan.has(RunPlan.ASK) ? Math.max(1, plan.stage(RunPlan.ASK).questions()) : 1;
    double total = 0;
    for (Map.Entry<String, StagePlan> entry : plan.stages().entrySet()) {
      StagePlan stage = entry.getValue();
      if (stage.onCaptioner()) {
        continue;
      }
      double call =
          prices.worstCase(
              stage.model(), stage.laneOrDefault(), INPUT_TOKENS_PER_CALL, stage.maxOutputTokens());
      total += call * callsPerImage(entry.getKey(), stage, questions, plan);
    }
    return total;
  }

  /** One call per image, one per question, or (evaluate) one per question and check call. */
  private static int callsPerImage(String name, StagePlan stage, int questions, RunPlan plan) {
    return switch (name) {
      case RunPlan.ANSWER, RunPlan.REASON -> questions;
      case RunPlan.EVALUATE -> questions * (1 + checkCalls(stage, plan));
      default -> 1;
    };
  }

  /** Extra calls each QA check makes per question: answers under other contexts and comparisons. */
  private static int checkCalls(StagePlan evaluate, RunPlan plan) {
    int calls = 0;
    for (String check :
        evaluate.checks() == null ? java.util.List.<String>of() : evaluate.checks()) {
      calls +=
          switch (check) {
            case "multi_prompt_consistency" ->
                plan.checkSettingsOrDefault().consistencyPrompts() + 1;
            case "multi_context_consistency" -> 3;
            case "answerable_without_image" -> 2;
            case "grammar" -> 1;
            default -> 0;
          };
    }
    return calls;
  }
}
