package dev.loupe.export;

import static dev.loupe.export.ReportText.number;

import dev.loupe.contract.Counts;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's charts as shapes for inline SVG, which {@code donut.jte} and {@code bars.jte} draw:
 * a donut of outcomes and horizontal bar charts (plain, stacked and overlaid). No scripts and no
 * external fonts: they render wherever the page is opened.
 */
final class ReportCharts {
  static final String ACCEPTED = "#2f9e63";
  static final String REJECTED = "#e0962b";
  static final String FAILED = "#d9534f";
  private static final String INPUT = "#4c6fdb";
  private static final String OUTPUT = "#a178df";
  private static final String COST = "#1f8a9e";
  private static final String P50 = "#3d6fd9";
  private static final String P99 = "#b9cbf5";

  static final int WIDTH = 430;
  static final int LABEL_WIDTH = 96;
  static final int LABEL_X = LABEL_WIDTH - 8;
  static final int BAR = 16;
  private static final int VALUE_WIDTH = 128;
  private static final int ROW = 30;
  static final int BAR_SPACE = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 16;
  static final int VALUE_X = LABEL_WIDTH + BAR_SPACE + 8;
  private static final int REASONS_SHOWN = 10;

  static final List<Segment> REJECTION_LEGEND =
      List.of(
          new Segment("image rejected", 0, REJECTED),
          new Segment("QA pair of an accepted image (qa:…)", 0, OUTPUT));
  static final List<Segment> TOKEN_LEGEND =
      List.of(new Segment("input tokens", 0, INPUT), new Segment("output tokens", 0, OUTPUT));
  static final List<Segment> LATENCY_LEGEND =
      List.of(new Segment("p50", 0, P50), new Segment("p99", 0, P99));

  private ReportCharts() {}

  /** A part of a whole, or one series of a stacked chart. */
  record Segment(String label, double value, String color) {}

  /** One row of a bar chart: segments drawn left to right (or over each other), and its text. */
  record Row(String label, List<Segment> segments, String text) {}

  /** A ring of arcs with a figure and a caption in its middle. */
  record Donut(List<Arc> arcs, String figure, String caption) {}

  /**
   * One arc of a donut, drawn as the dashes of a circle whose circumference is 100.
   *
   * @param title what a pointer over the arc shows
   */
  record Arc(String color, String dashArray, String dashOffset, String title) {}

  /** Bars on one scale, {@link #ROW} units apart. */
  record Bars(String caption, int height, List<BarRow> rows) {
    String viewBox() {
      return "0 0 " + WIDTH + " " + height;
    }
  }

  /**
   * @param y the top of the row's bars
   * @param textY the baseline of its label and text
   * @param label the row's name, shortened to fit left of the bars
   */
  record BarRow(int y, int textY, String label, List<Bar> bars, String text) {}

  /** One bar: x and width formatted for SVG, and what a pointer over it shows. */
  record Bar(String x, String width, String color, String title) {}

  static List<Segment> outcomes(Counts counts) {
    return List.of(
        new Segment("accepted", counts.accepted(), ACCEPTED),
        new Segment("rejected", counts.rejected(), REJECTED),
        new Segment("failed", counts.failed(), FAILED));
  }

  static Donut outcomeDonut(Counts counts) {
    return donut(
        outcomes(counts), ReportText.percent(counts.accepted(), counts.done()), "accepted");
  }

  /** The most frequent rejection reasons; QA pairs' reasons ({@code qa:…}) in their own colour. */
  static Bars rejections(Map<String, Long> byReason) {
    List<Row> rows =
        byReason.entrySet().stream()
            .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
            .limit(REASONS_SHOWN)
            .map(
                entry ->
                    new Row(
                        entry.getKey(),
                        List.of(
                            new Segment(
                                "rejected",
                                entry.getValue(),
                                entry.getKey().startsWith("qa:") ? OUTPUT : REJECTED)),
                        number(entry.getValue())))
            .toList();
    return bars(rows, false, "rejections by reason");
  }

  static Bars tokens(List<RunStats.Stage> stages) {
    List<Row> rows = new ArrayList<>();
    for (RunStats.Stage stage : stages) {
      rows.add(
          new Row(
              stage.name(),
              List.of(
                  new Segment("input", stage.inputTokens(), INPUT),
                  new Segment("output", stage.outputTokens(), OUTPUT)),
              number(stage.inputTokens()) + " / " + number(stage.outputTokens())));
    }
    return bars(rows, false, "tokens by stage");
  }

  static Bars cost(List<RunStats.Stage> stages) {
    List<Row> rows = new ArrayList<>();
    for (RunStats.Stage stage : stages) {
      rows.add(
          new Row(
              stage.name(),
              List.of(new Segment("cost", stage.costUsd(), COST)),
              ReportText.dollars(stage.costUsd()) + " · " + number(stage.calls()) + " calls"));
    }
    return bars(rows, false, "cost by stage");
  }

  /** p50 and p99 of each stage, the p99 bar behind its p50. */
  static Bars latency(List<RunStats.Stage> stages) {
    List<Row> rows = new ArrayList<>();
    for (RunStats.Stage stage : stages) {
      rows.add(
          new Row(
              stage.name(),
              List.of(
                  new Segment("p50", stage.p50Millis(), P50),
                  new Segment("p99", stage.p99Millis(), P99)),
              ReportText.millis(stage.p50Millis()) + " / " + ReportText.millis(stage.p99Millis())));
    }
    return bars(rows, true, "stage latency");
  }

  /** A ring of the segments' shares, starting at the top and going clockwise. */
  static Donut donut(List<Segment> segments, String figure, String caption) {
    double total = segments.stream().mapToDouble(Segment::value).sum();
    List<Arc> arcs = new ArrayList<>();
    double offset = 0;
    for (Segment segment : segments) {
      if (total <= 0 || segment.value() <= 0) {
        continue;
      }
      double share = 100 * segment.value() / total;
      arcs.add(
          new Arc(
              segment.color(),
              String.format(Locale.ROOT, "%.3f %.3f", share, 100 - share),
              String.format(Locale.ROOT, "%.3f", 25 - offset),
              segment.label() + ": " + number(segment.value())));
      offset += share;
    }
    return new Donut(arcs, figure, caption);
  }

  /**
   * Horizontal bars on one scale. With {@code overlaid}, a row's segments are drawn from zero over
   * each other, largest first (a p99 bar behind its p50); otherwise they are stacked.
   */
  static Bars bars(List<Row> rows, boolean overlaid, String caption) {
    double max = 0;
    for (Row row : rows) {
      double length =
          overlaid
              ? row.segments().stream().mapToDouble(Segment::value).max().orElse(0)
              : row.segments().stream().mapToDouble(Segment::value).sum();
      max = Math.max(max, length);
    }
    List<BarRow> barRows = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      int y = i * ROW + 6;
      List<Segment> segments =
          overlaid
              ? row.segments().stream()
                  .sorted((a, b) -> Double.compare(b.value(), a.value()))
                  .toList()
              : row.segments();
      List<Bar> bars = new ArrayList<>();
      double x = 0;
      for (Segment segment : segments) {
        double width = max <= 0 ? 0 : BAR_SPACE * segment.value() / max;
        if (width > 0) {
          bars.add(
              new Bar(
                  String.format(Locale.ROOT, "%.2f", LABEL_WIDTH + (overlaid ? 0 : x)),
                  String.format(Locale.ROOT, "%.2f", Math.max(width, 1.5)),
                  segment.color(),
                  row.label() + " " + segment.label() + ": " + number(segment.value())));
        }
        x += overlaid ? 0 : width;
      }
      barRows.add(
          new BarRow(y, y + BAR - 3, ReportText.shorten(row.label(), 14), bars, row.text()));
    }
    return new Bars(caption, rows.size() * ROW + 6, barRows);
  }
}
