package dev.loupe.cli;

import dev.loupe.contract.Counts;
import dev.loupe.contract.DatasetResult;
import java.io.PrintStream;
import java.util.Locale;

/** The end-of-run summary the CLI prints. */
final class Summary {
  private Summary() {}

  static void print(PrintStream out, DatasetResult result) {
    Counts counts = result.counts();
    out.printf(
        Locale.ROOT,
        "%d images: %d accepted, %d rejected, %d failed; %d QA pairs accepted%n",
        counts.listed(),
        counts.accepted(),
        counts.rejected(),
        counts.failed(),
        counts.qaAccepted());
    out.printf(
        Locale.ROOT,
        "tokens: %d input, %d output; cost $%.4f%n",
        counts.inputTokens(),
        counts.outputTokens(),
        counts.costUsd());
    if (result.message() != null && !result.message().isEmpty()) {
      out.println(result.message());
    }
    out.println("output: " + result.output() + " (" + String.join(", ", result.files()) + ")");
  }

  /** The innermost message of a failure chain: what the user needs to read. */
  static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    if (cause instanceof io.temporal.failure.ApplicationFailure application) {
      message = application.getOriginalMessage();
    }
    return message == null ? cause.toString() : message;
  }
}
