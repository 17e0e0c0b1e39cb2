package dev.loupe.cli;

import dev.loupe.contract.Progress;
import java.io.PrintStream;
import java.util.Locale;

/** Renders {@link Progress} as one line: a bar on a terminal, a periodic line in a log. */
final class ProgressBar {
  private static final int WIDTH = 30;

  private final PrintStream out;
  private final boolean terminal;
  private String last = "";

  ProgressBar(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  void show(Progress progress) {
    String line = render(progress);
    if (line.equals(last)) {
      return;
    }
    last = line;
    if (terminal) {
      out.print("\r" + line + "\u001b[K");
    } else {
      out.println(line);
    }
    out.flush();
  }

  void finish() {
    if (terminal && !last.isEmpty()) {
      out.println();
    }
  }

  static String render(Progress progress) {
    long total = Math.max(progress.total(), progress.done());
    double fraction = total == 0 ? 0 : (double) progress.done() / total;
    int filled = (int) Math.round(fraction * WIDTH);
    String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
    return String.format(
        Locale.ROOT,
        "[%s] %d/%d%s %s · %d accepted · %d rejected · %d failed · %d in flight · %s tokens · $%.4f",
        bar,
        progress.done(),
        total,
        progress.listingDone() ? "" : "+",
        progress.state(),
        progress.accepted(),
        progress.rejected(),
        progress.failed(),
        progress.inFlight(),
        compact(progress.inputTokens() + progress.outputTokens()),
        progress.costUsd());
  }

  private static String compact(long tokens) {
    if (tokens < 10_000) {
      return Long.toString(tokens);
    }
    if (tokens < 10_000_000) {
      return String.format(Locale.ROOT, "%.1fk", tokens / 1000.0);
    }
    return String.format(Locale.ROOT, "%.1fM", tokens / 1_000_000.0);
  }
}
