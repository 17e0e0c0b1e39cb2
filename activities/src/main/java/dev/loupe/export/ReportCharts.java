package dev.loupe.export;

import java.util.List;
import java.util.Locale;

/**
 * The report's charts as inline SVG: a donut of outcomes and horizontal bar charts (plain, stacked
 * and overlaid). No scripts and no external fonts: they render wherever the page is opened.
 */
final class ReportCharts {
  private static final int WIDTH = 430;
  private static final int LABEL_WIDTH = 96;
  private static final int VALUE_WIDTH = 128;
  private static final int ROW = 30;
  private static final int BAR = 16;
  private static final int BAR_SPACE = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 16;

  private ReportCharts() {}

  /** A part of a whole, or one series of a stacked chart. */
  record Segment(String label, double value, String color) {}

  /** One row of a bar chart: segments drawn left to right (or over each other), and its text. */
  record Row(String label, List<Segment> segments, String text) {}

  /** A ring of the segments' shares with a figure in its middle. */
  static String donut(List<Segment> segments, String figure, String caption) {
    double total = segments.stream().mapToDouble(Segment::value).sum();
    StringBuilder svg = new StringBuilder();
    svg.append("<svg class=\"donut\" viewBox=\"0 0 42 42\" role=\"img\" aria-label=\"")
        .append(Html.escape(caption))
        .append("\">");
    svg.append(
        "<circle cx=\"21\" cy=\"21\" r=\"15.915\" fill=\"none\" stroke=\"#e7e9ee\""
            + " stroke-width=\"5.5\"/>");
    double offset = 0;
    for (Segment segment : segments) {
      if (total <= 0 || segment.value() <= 0) {
        continue;
      }
      double share = 100 * segment.value() / total;
      svg.append(
          String.format(
              Locale.ROOT,
              "<circle cx=\"21\" cy=\"21\" r=\"15.915\" fill=\"none\" stroke=\"%s\""
                  + " stroke-width=\"5.5\" stroke-dasharray=\"%.3f %.3f\""
                  + " stroke-dashoffset=\"%.3f\"><title>%s: %s</title></circle>",
              segment.color(),
              share,
              100 - share,
              25 - offset,
              Html.escape(segment.label()),
              number(segment.value())));
      offset += share;
    }
    svg.append("<text x=\"21\" y=\"21.5\" class=\"donut-figure\">")
        .append(Html.escape(figure))
        .append("</text>");
    svg.append("<text x=\"21\" y=\"26.5\" class=\"donut-caption\">")
        .append(Html.escape(caption))
        .append("</text></svg>");
    return svg.toString();
  }

  /**
   * Horizontal bars on one scale. With {@code overlaid}, a row's segments are drawn from zero over
   * each other, largest first (a p99 bar behind its p50); otherwise they are stacked.
   */
  static String bars(List<Row> rows, boolean overlaid, String caption) {
    double max = 0;
    for (Row row : rows) {
      double length =
          overlaid
              ? row.segments().stream().mapToDouble(Segment::value).max().orElse(0)
              : row.segments().stream().mapToDouble(Segment::value).sum();
      max = Math.max(max, length);
    }
    int height = rows.size() * ROW + 6;
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg class=\"bars\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">",
            WIDTH,
            height,
            Html.escape(caption)));
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      int y = i * ROW + 6;
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" class=\"bar-label\">%s</text>",
              LABEL_WIDTH - 8,
              y + BAR - 3,
              Html.escape(shorten(row.label(), 14))));
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"3\" class=\"bar-track\"/>",
              LABEL_WIDTH,
              y,
              BAR_SPACE,
              BAR));
      List<Segment> segments =
          overlaid
              ? row.segments().stream()
                  .sorted((a, b) -> Double.compare(b.value(), a.value()))
                  .toList()
              : row.segments();
      double x = 0;
      for (Segment segment : segments) {
        double width = max <= 0 ? 0 : BAR_SPACE * segment.value() / max;
        if (width > 0) {
          svg.append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" rx=\"3\" fill=\"%s\">"
                      + "<title>%s %s: %s</title></rect>",
                  LABEL_WIDTH + (overlaid ? 0 : x),
                  y,
                  Math.max(width, 1.5),
                  BAR,
                  segment.color(),
                  Html.escape(row.label()),
                  Html.escape(segment.label()),
                  number(segment.value())));
        }
        x += overlaid ? 0 : width;
      }
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" class=\"bar-value\">%s</text>",
              LABEL_WIDTH + BAR_SPACE + 8,
              y + BAR - 3,
              Html.escape(row.text())));
    }
    svg.append("</svg>");
    return svg.toString();
  }

  /** A legend for the segments' colours, as HTML. */
  static String legend(List<Segment> segments) {
    StringBuilder html = new StringBuilder("<div class=\"legend\">");
    for (Segment segment : segments) {
      html.append("<span><i style=\"background:")
          .append(segment.color())
          .append("\"></i>")
          .append(Html.escape(segment.label()))
          .append("</span>");
    }
    return html.append("</div>").toString();
  }

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

  private static String shorten(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }
}
