package dev.loupe.export;

import java.util.Locale;

/** How the report writes numbers, durations and file names. Plain text: the templates escape it. */
final class ReportText {
  private ReportText() {}

  /** 1234 → 1,234; 12345678 → 12.3M; fractions keep two decimals. */
  static String number(double value) {
    if (value != Math.rint(value)) {
      return String.format(Locale.ROOT, "%.2f", value);
    }
    if (Math.abs(value) >= 10_000_000) {
      return String.format(Locale.ROOT, "%.1fM", value / 1_000_000);
    }
    if (Math.abs(value) >= 100_000) {
      return String.format(Locale.ROOT, "%.1fk", value / 1_000);
    }
    return String.format(Locale.ROOT, "%,d", (long) value);
  }

  static String dollars(double value) {
    return String.format(Locale.ROOT, "$%.4f", value);
  }

  static String percent(long part, long whole) {
    return whole == 0 ? "–" : Math.round(100.0 * part / whole) + "%";
  }

  static String millis(long value) {
    return value >= 10_000 ? String.format(Locale.ROOT, "%.1f s", value / 1000.0) : value + " ms";
  }

  static String duration(double seconds) {
    long whole = Math.round(seconds);
    if (whole < 120) {
      return whole + " s";
    }
    if (whole < 7200) {
      return String.format(Locale.ROOT, "%d min %02d s", whole / 60, whole % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", whole / 3600, whole % 3600 / 60);
  }

  /** The part of a URI after its last slash; empty for none. */
  static String fileName(String uri) {
    return uri == null ? "" : uri.substring(uri.lastIndexOf('/') + 1);
  }

  /** The text cut to {@code max} characters, the last of them an ellipsis. */
  static String shorten(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }
}
