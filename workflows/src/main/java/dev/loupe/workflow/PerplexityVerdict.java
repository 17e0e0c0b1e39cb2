package dev.loupe.workflow;

import dev.loupe.contract.Check;
import dev.loupe.contract.RunPlan.Perplexity;
import dev.loupe.contract.ScoreResult;
import java.util.Locale;

/**
 * The {@code perplexity} check's verdict when a caption is scored. With {@code maxPerplexity} a
 * caption above it fails here; with {@code keepLowestShare} it passes for now, and the export keeps
 * the lowest-perplexity share of the run's scored captions (a run-level decision that no single
 * image can make) and records the run's cut as the check's threshold. The verdict carries the score
 * and, with {@code maxPerplexity}, that limit as its threshold.
 */
final class PerplexityVerdict {
  static final String CHECK = "perplexity";

  private PerplexityVerdict() {}

  static Check of(ScoreResult score, Perplexity settings) {
    Double perplexity = score.perplexity();
    if (perplexity == null) {
      return new Check(
          false,
          "a token of the caption has no finite log-probability ("
              + score.tokens()
              + " tokens scored by "
              + score.call().endpoint()
              + ")");
    }
    String figure =
        String.format(
            Locale.ROOT,
            "perplexity %.2f over %d tokens (mean log-probability %.4f)",
            perplexity,
            score.tokens(),
            score.meanLogprob());
    Double max = settings.maxPerplexity();
    if (max != null && perplexity > max) {
      return new Check(
          false,
          figure + String.format(Locale.ROOT, ", above the limit %.2f", max),
          perplexity,
          max);
    }
    StringBuilder detail = new StringBuilder(figure);
    if (max != null) {
      detail.append(String.format(Locale.ROOT, ", within the limit %.2f", max));
    }
    if (settings.keepLowestShare() != null) {
      detail.append(
          String.format(
              Locale.ROOT,
              "; the run keeps its lowest %s%% at export",
              PerplexityVerdict.percent(settings.keepLowestShare())));
    }
    return new Check(true, detail.toString(), perplexity, max);
  }

  static String percent(double share) {
    double percent = share * 100;
    return percent == Math.rint(percent)
        ? Long.toString((long) percent)
        : String.format(Locale.ROOT, "%.2f", percent);
  }
}
