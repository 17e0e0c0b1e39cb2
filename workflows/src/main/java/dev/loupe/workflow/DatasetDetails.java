package dev.loupe.workflow;

import dev.loupe.contract.BatchProgress;
import dev.loupe.contract.FailedImage;
import dev.loupe.contract.Progress;
import java.util.List;
import java.util.Locale;

/**
 * A dataset's progress as people read it: one summary line, and the markdown that the Temporal UI
 * shows as the workflow's current details ({@code loupe status} prints the same).
 */
public final class DatasetDetails {
  private static final int MESSAGE_CHARS = 160;

  private DatasetDetails() {}

  /**
   * E.g. {@code running · 1,234 of 20,000+ done · 1,100 accepted · … · $1.2345} ("of", not a slash,
   * which markdown renderers turn into a fraction).
   */
  public static String summary(Progress progress) {
    return String.format(
        Locale.ROOT,
        "%s · %s of %s%s done · %s accepted · %s rejected · %s failed · %s in flight · $%.4f",
        stateLabel(progress),
        number(progress.done()),
        number(Math.max(progress.total(), progress.done())),
        progress.listingDone() ? "" : "+",
        number(progress.accepted()),
        number(progress.rejected()),
        number(progress.failed()),
        number(progress.inFlight()),
        progress.costUsd());
  }

  /**
   * The summary line, a table of counts, tokens and cost, and what to do next when the run waits
   * for a decision on its failed images.
   *
   * @param datasetId the dataset's workflow ID, for the search that lists its image workflows
   * @param failedSample a few failed images to show while waiting
   */
  public static String markdown(Progress progress, String datasetId, List<FailedImage> failed) {
    StringBuilder text = new StringBuilder();
    text.append("**").append(summary(progress)).append("**\n\n");
    if (Progress.WAITING.equals(progress.state())) {
      text.append(
          String.format(
              Locale.ROOT,
              "%s images failed: they are listed in `failed.jsonl` under %s. Send the update"
                  + " **retryFailed** (or run `loupe retry-failed %s`) to run them again, or"
                  + " **finish** to end the run now. Waiting until %s.\n\n",
              number(progress.failed()),
              escape(progress.output()),
              code(datasetId),
              progress.waitingUntil()));
      if (!failed.isEmpty()) {
        text.append("| failed image | type | message |\n|---|---|---|\n");
        for (FailedImage image : failed) {
          text.append("| ")
              .append(escape(fileName(image.uri())))
              .append(" | ")
              .append(escape(image.failureType()))
              .append(" | ")
              .append(escape(cut(image.message())))
              .append(" |\n");
        }
        text.append('\n');
      }
    }
    if (progress.message() != null && !progress.message().isEmpty()) {
      text.append(escape(progress.message())).append("\n\n");
    }
    if (!progress.batchesOrEmpty().isEmpty()) {
      text.append(
          "| batch lane | batches open | lines submitted | done | failed | oldest batch |\n"
              + "|---|---|---|---|---|---|\n");
      for (BatchProgress lane : progress.batchesOrEmpty()) {
        text.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s | %s | %d s |\n",
                escape(lane.endpoint()),
                number(lane.batchesOpen()),
                number(lane.linesSubmitted()),
                number(lane.linesDone()),
                number(lane.linesFailed()),
                lane.oldestBatchAgeSeconds()));
      }
      text.append('\n');
    }
    text.append("| images | count |\n|---|---:|\n");
    row(text, "total" + (progress.listingDone() ? "" : " (listing…)"), number(progress.total()));
    row(text, "accepted", number(progress.accepted()));
    row(text, "rejected", number(progress.rejected()));
    row(text, "failed", number(progress.failed()));
    row(text, "in flight", number(progress.inFlight()));
    row(text, "QA pairs accepted", number(progress.qaAccepted()));
    row(
        text,
        "tokens in / out",
        number(progress.inputTokens()) + " / " + number(progress.outputTokens()));
    row(text, "cost", String.format(Locale.ROOT, "$%.4f", progress.costUsd()));
    if (progress.weight() != null) {
      row(text, "share of the pools", share(progress));
    }
    if (progress.retryRound() > 0) {
      row(text, "retry round", Integer.toString(progress.retryRound()));
    }
    text.append('\n');
    text.append("Image workflows: `LoupeDataset=\"")
        .append(code(datasetId))
        .append("\"` (add `AND LoupeStatus=\"failed\"` to see the failed ones).");
    return text.toString();
  }

  /**
   * E.g. {@code weight 2 (fairness key `books-2026`)}: what this dataset's tasks are dispatched by
   * against other datasets on the same pools.
   */
  public static String share(Progress progress) {
    return String.format(
        Locale.ROOT,
        "weight %s (fairness key `%s`)",
        new java.math.BigDecimal(Double.toString(progress.weight()))
            .stripTrailingZeros()
            .toPlainString(),
        code(String.valueOf(progress.fairnessKey())));
  }

  private static String stateLabel(Progress progress) {
    return progress.retryRound() > 0 && "retrying".equals(progress.state())
        ? "retrying (round " + progress.retryRound() + ")"
        : progress.state();
  }

  private static void row(StringBuilder text, String name, String value) {
    text.append("| ").append(name).append(" | ").append(value).append(" |\n");
  }

  private static String number(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  private static String fileName(String uri) {
    if (uri == null) {
      return "";
    }
    return uri.substring(uri.lastIndexOf('/') + 1);
  }

  private static String cut(String message) {
    if (message == null) {
      return "";
    }
    String line = message.replaceAll("\\s+", " ").strip();
    return line.length() <= MESSAGE_CHARS ? line : line.substring(0, MESSAGE_CHARS - 1) + "…";
  }

  /** Text inside a code span, where backslash escapes would show. */
  private static String code(String text) {
    return text == null ? "" : text.replace("`", "'").replace("\n", " ");
  }

  /** Keeps text from breaking the table or being read as markup. */
  private static String escape(String text) {
    if (text == null) {
      return "";
    }
    return text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("*", "\\*")
        .replace("_", "\\_")
        .replace("`", "'")
        .replace("<", "&lt;")
        .replace("\n", " ");
  }
}
