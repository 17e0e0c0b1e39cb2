package dev.loupe.export;

import dev.loupe.contract.Check;
import dev.loupe.contract.Counts;
import dev.loupe.contract.FailedImage;
import dev.loupe.contract.QaPair;
import dev.loupe.export.ReportCharts.Row;
import dev.loupe.export.ReportCharts.Segment;
import dev.loupe.export.Thumbnails.Thumbnail;
import dev.loupe.record.ItemRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html}: one self-contained page (inline CSS, SVG and a few lines of script; images
 * as {@code data:} URIs) with the run's figures, charts of outcomes, rejections, tokens, cost and
 * stage latency, a gallery of accepted samples and examples of rejected ones.
 */
final class ReportPage {
  static final String ACCEPTED = "#2f9e63";
  static final String REJECTED = "#e0962b";
  static final String FAILED = "#d9534f";
  private static final String INPUT = "#4c6fdb";
  private static final String OUTPUT = "#a178df";
  private static final String COST = "#1f8a9e";
  private static final String SAVED = "#9fd8c4";
  private static final String P50 = "#3d6fd9";
  private static final String P99 = "#b9cbf5";
  private static final int PREVIEW_CHARS = 320;

  private ReportPage() {}

  /** Everything the page shows. */
  record Report(
      String datasetId,
      String status,
      String output,
      String recipe,
      String startedAt,
      String finishedAt,
      double wallSeconds,
      Counts counts,
      Map<String, Long> rejectedByReason,
      List<RunStats.Stage> stages,
      List<RunStats.Lane> lanes,
      double savedUsd,
      List<Example> gallery,
      List<Example> rejected,
      List<FailedImage> failed,
      List<String> files) {}

  /**
   * An image shown in the report: an accepted sample, a rejected image, or (with {@code pair}) one
   * rejected QA pair of an accepted image.
   */
  record Example(ItemRecord record, QaPair pair, Thumbnail thumbnail) {}

  static String render(Report report) {
    StringBuilder html = new StringBuilder(64 * 1024);
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<link rel=\"icon\" href=\"data:,\">")
        .append("<title>Loupe report · ")
        .append(Html.escape(report.datasetId()))
        .append("</title><style>")
        .append(STYLE)
        .append("</style></head><body>");
    header(html, report);
    figures(html, report.counts(), report.savedUsd(), report.wallSeconds());
    charts(html, report);
    gallery(html, report);
    rejected(html, report);
    failed(html, report);
    html.append("<footer>Written by Loupe from the records under ")
        .append(Html.escape(report.output()))
        .append(" · files: ")
        .append(Html.escape(String.join(", ", report.files())))
        .append("</footer>");
    html.append("<script>").append(SCRIPT).append("</script></body></html>\n");
    return html.toString();
  }

  private static void header(StringBuilder html, Report report) {
    html.append("<header><div><h1>Loupe report</h1><p class=\"sub\">")
        .append(Html.escape(report.datasetId()))
        .append(" · recipe <b>")
        .append(Html.escape(report.recipe()))
        .append("</b> · ")
        .append(Html.escape(report.startedAt()))
        .append(" → ")
        .append(Html.escape(report.finishedAt()))
        .append("</p><p class=\"sub\">")
        .append(Html.escape(report.output()))
        .append("</p></div><span class=\"status status-")
        .append(Html.escape(report.status()))
        .append("\">")
        .append(Html.escape(report.status()))
        .append("</span></header>");
  }

  private static void figures(
      StringBuilder html, Counts counts, double savedUsd, double wallSeconds) {
    html.append("<section class=\"figures\">");
    figure(html, "images", ReportCharts.number(counts.listed()), null);
    figure(html, "accepted", ReportCharts.number(counts.accepted()), ACCEPTED);
    figure(html, "rejected", ReportCharts.number(counts.rejected()), REJECTED);
    figure(html, "failed", ReportCharts.number(counts.failed()), FAILED);
    figure(html, "QA pairs", ReportCharts.number(counts.qaAccepted()), null);
    figure(html, "input tokens", ReportCharts.number(counts.inputTokens()), null);
    figure(html, "output tokens", ReportCharts.number(counts.outputTokens()), null);
    figure(html, "cost", String.format(Locale.ROOT, "$%.4f", counts.costUsd()), null);
    figure(html, "saved", String.format(Locale.ROOT, "$%.4f", savedUsd), null);
    figure(html, "wall time", duration(wallSeconds), null);
    html.append("</section>");
  }

  private static void figure(StringBuilder html, String label, String value, String color) {
    html.append("<div class=\"figure\"")
        .append(color == null ? "" : " style=\"border-top-color:" + color + "\"")
        .append("><div class=\"value\">")
        .append(Html.escape(value))
        .append("</div><div class=\"label\">")
        .append(Html.escape(label))
        .append("</div></div>");
  }

  private static void charts(StringBuilder html, Report report) {
    Counts counts = report.counts();
    html.append("<section class=\"charts\">");
    List<Segment> outcomes =
        List.of(
            new Segment("accepted", counts.accepted(), ACCEPTED),
            new Segment("rejected", counts.rejected(), REJECTED),
            new Segment("failed", counts.failed(), FAILED));
    panel(
        html,
        "Outcomes",
        "<div class=\"donut-wrap\">"
            + ReportCharts.donut(outcomes, percent(counts.accepted(), counts.done()), "accepted")
            + outcomeList(outcomes)
            + "</div>");

    List<Row> reasons = new ArrayList<>();
    report.rejectedByReason().entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .limit(10)
        .forEach(
            entry ->
                reasons.add(
                    new Row(
                        entry.getKey(),
                        List.of(
                            new Segment(
                                "rejected",
                                entry.getValue(),
                                entry.getKey().startsWith("qa:") ? OUTPUT : REJECTED)),
                        ReportCharts.number(entry.getValue()))));
    panel(
        html,
        "Rejections by reason",
        reasons.isEmpty()
            ? "<p class=\"empty\">Nothing was rejected.</p>"
            : ReportCharts.bars(reasons, false, "rejections by reason")
                + ReportCharts.legend(
                    List.of(
                        new Segment("image rejected", 0, REJECTED),
                        new Segment("QA pair of an accepted image (qa:…)", 0, OUTPUT))));

    List<RunStats.Stage> stages = report.stages();
    if (stages.isEmpty()) {
      panel(html, "Model calls", "<p class=\"empty\">No model calls were recorded.</p>");
    } else {
      List<Row> tokens = new ArrayList<>();
      List<Row> cost = new ArrayList<>();
      List<Row> latency = new ArrayList<>();
      for (RunStats.Stage stage : stages) {
        tokens.add(
            new Row(
                stage.name(),
                List.of(
                    new Segment("input", stage.inputTokens(), INPUT),
                    new Segment("output", stage.outputTokens(), OUTPUT)),
                ReportCharts.number(stage.inputTokens())
                    + " / "
                    + ReportCharts.number(stage.outputTokens())));
        cost.add(
            new Row(
                stage.name(),
                List.of(new Segment("cost", stage.costUsd(), COST)),
                String.format(
                    Locale.ROOT,
                    "$%.4f · %s calls",
                    stage.costUsd(),
                    ReportCharts.number(stage.calls()))));
        latency.add(
            new Row(
                stage.name(),
                List.of(
                    new Segment("p50", stage.p50Millis(), P50),
                    new Segment("p99", stage.p99Millis(), P99)),
                millis(stage.p50Millis()) + " / " + millis(stage.p99Millis())));
      }
      panel(
          html,
          "Tokens by stage",
          ReportCharts.bars(tokens, false, "tokens by stage")
              + ReportCharts.legend(
                  List.of(
                      new Segment("input tokens", 0, INPUT),
                      new Segment("output tokens", 0, OUTPUT))));
      panel(
          html,
          "Cost by stage",
          report.counts().costUsd() > 0
              ? ReportCharts.bars(cost, false, "cost by stage")
              : "<p class=\"empty\">No cost recorded: config/prices.yaml has no price for"
                  + " these models.</p>");
      List<Row> lanes = new ArrayList<>();
      for (RunStats.Lane lane : report.lanes()) {
        lanes.add(
            new Row(
                lane.name(),
                List.of(
                    new Segment("paid", lane.costUsd(), COST),
                    new Segment("saved", lane.savedUsd(), SAVED)),
                String.format(
                    Locale.ROOT,
                    "$%.4f paid · $%.4f saved · %s calls",
                    lane.costUsd(),
                    lane.savedUsd(),
                    ReportCharts.number(lane.calls()))));
      }
      panel(
          html,
          "Cost by lane",
          ReportCharts.bars(lanes, false, "cost by lane")
              + ReportCharts.legend(
                  List.of(
                      new Segment("paid", 0, COST),
                      new Segment(
                          "saved against the online price (batch, flex, prompt and response cache)",
                          0,
                          SAVED))));
      panel(
          html,
          "Stage latency",
          ReportCharts.bars(latency, true, "stage latency")
              + ReportCharts.legend(
                  List.of(new Segment("p50", 0, P50), new Segment("p99", 0, P99))));
    }
    html.append("</section>");
  }

  private static String outcomeList(List<Segment> outcomes) {
    StringBuilder list = new StringBuilder("<ul class=\"outcomes\">");
    for (Segment outcome : outcomes) {
      list.append("<li><i style=\"background:")
          .append(outcome.color())
          .append("\"></i>")
          .append(Html.escape(outcome.label()))
          .append("<b>")
          .append(ReportCharts.number(outcome.value()))
          .append("</b></li>");
    }
    return list.append("</ul>").toString();
  }

  private static void panel(StringBuilder html, String title, String body) {
    html.append("<div class=\"panel\"><h3>")
        .append(Html.escape(title))
        .append("</h3>")
        .append(body)
        .append("</div>");
  }

  private static void gallery(StringBuilder html, Report report) {
    html.append("<section><div class=\"section-head\"><h2>Accepted samples</h2><span>")
        .append(report.gallery().size())
        .append(" of ")
        .append(ReportCharts.number(report.counts().accepted()))
        .append(" shown</span>");
    if (!report.gallery().isEmpty()) {
      html.append(
          "<input id=\"filter\" type=\"search\" placeholder=\"Filter by caption or question\">");
    }
    html.append("</div>");
    if (report.gallery().isEmpty()) {
      html.append("<p class=\"empty\">No accepted samples.</p></section>");
      return;
    }
    html.append("<div class=\"grid\" id=\"gallery\">");
    for (Example example : report.gallery()) {
      ItemRecord record = example.record();
      html.append("<article class=\"card\">");
      image(html, example);
      html.append("<div class=\"body\">");
      fileLine(html, record);
      if (record.caption() != null && record.caption().text() != null) {
        caption(html, record.caption().text(), record.caption().model());
      }
      html.append("<ol class=\"qa\">");
      for (QaPair pair : record.qaOrEmpty()) {
        qaPair(html, pair);
      }
      html.append("</ol>");
      if (record.usage() != null) {
        html.append("<div class=\"meta\">")
            .append(ReportCharts.number(record.usage().inputTokens()))
            .append(" in / ")
            .append(ReportCharts.number(record.usage().outputTokens()))
            .append(" out tokens · ")
            .append(String.format(Locale.ROOT, "$%.4f", record.usage().costUsd()))
            .append("</div>");
      }
      html.append("</div></article>");
    }
    html.append("</div></section>");
  }

  private static void rejected(StringBuilder html, Report report) {
    html.append("<section><div class=\"section-head\"><h2>Rejected examples</h2><span>")
        .append(report.rejected().size())
        .append(" shown; all are in rejected.jsonl</span></div>");
    if (report.rejected().isEmpty()) {
      html.append("<p class=\"empty\">Nothing was rejected.</p></section>");
      return;
    }
    html.append("<div class=\"grid\">");
    for (Example example : report.rejected()) {
      ItemRecord record = example.record();
      html.append("<article class=\"card rejected\">");
      image(html, example);
      html.append("<div class=\"body\">");
      fileLine(html, record);
      if (example.pair() == null) {
        html.append("<div class=\"reason\"><span class=\"badge\">")
            .append(Html.escape(record.reason()))
            .append("</span>")
            .append(Html.escape(record.detail()))
            .append("</div>");
      } else {
        html.append(
            "<div class=\"reason\"><span class=\"badge\">QA pair</span>of an accepted"
                + " image</div><ol class=\"qa\">");
        qaPair(html, example.pair());
        html.append("</ol>");
      }
      html.append("</div></article>");
    }
    html.append("</div></section>");
  }

  private static void failed(StringBuilder html, Report report) {
    if (report.counts().failed() == 0) {
      return;
    }
    html.append("<section><div class=\"section-head\"><h2>Failed</h2><span>")
        .append(ReportCharts.number(report.counts().failed()))
        .append(" images; all are in failed.jsonl, and the retryFailed update runs them again")
        .append("</span></div><table><thead><tr><th>image</th><th>failure</th><th>message</th>")
        .append("</tr></thead><tbody>");
    for (FailedImage image : report.failed()) {
      html.append("<tr><td>")
          .append(Html.escape(fileName(image.uri())))
          .append("</td><td><span class=\"badge fail\">")
          .append(Html.escape(image.failureType()))
          .append("</span></td><td>")
          .append(Html.escape(image.message()))
          .append("</td></tr>");
    }
    html.append("</tbody></table></section>");
  }

  private static void image(StringBuilder html, Example example) {
    Thumbnail thumbnail = example.thumbnail();
    String name = fileName(example.record().image() == null ? null : uriOf(example.record()));
    if (thumbnail == null) {
      html.append("<div class=\"thumb\"><img src=\"")
          .append(PLACEHOLDER)
          .append("\" width=\"160\" height=\"120\" alt=\"no preview of ")
          .append(Html.escape(name))
          .append("\"></div>");
      return;
    }
    html.append("<div class=\"thumb\"><img src=\"")
        .append(thumbnail.dataUri())
        .append("\" width=\"")
        .append(thumbnail.width())
        .append("\" height=\"")
        .append(thumbnail.height())
        .append("\" alt=\"")
        .append(Html.escape(name))
        .append("\"></div>");
  }

  private static void fileLine(StringBuilder html, ItemRecord record) {
    ItemRecord.Image image = record.image();
    html.append("<div class=\"file\" title=\"")
        .append(Html.escape(image == null ? record.id() : image.uri()))
        .append("\">")
        .append(Html.escape(fileName(image == null ? record.id() : image.uri())));
    if (image != null && image.width() != null) {
      html.append(" · ").append(image.width()).append('×').append(image.height());
    }
    if (image != null && image.format() != null) {
      html.append(" · ").append(Html.escape(image.format()));
    }
    html.append("</div>");
  }

  private static void caption(StringBuilder html, String text, String model) {
    html.append("<div class=\"caption-label\">Caption")
        .append(model == null ? "" : " · " + Html.escape(model))
        .append("</div>");
    if (text.length() <= PREVIEW_CHARS) {
      html.append("<p class=\"caption\">").append(Html.escape(text)).append("</p>");
      return;
    }
    html.append("<details class=\"caption\"><summary>")
        .append(Html.escape(text.substring(0, PREVIEW_CHARS).stripTrailing()))
        .append("… <span class=\"more\">more</span></summary><p>")
        .append(Html.escape(text))
        .append("</p></details>");
  }

  private static void qaPair(StringBuilder html, QaPair pair) {
    html.append("<li class=\"")
        .append(pair.accepted() ? "pass" : "fail")
        .append("\"><p class=\"q\">")
        .append(Html.escape(pair.question()))
        .append("</p>");
    if (pair.answer() != null) {
      html.append("<p class=\"a\">").append(Html.escape(pair.answer())).append("</p>");
    }
    html.append("<div class=\"checks\">");
    for (Map.Entry<String, Check> check : pair.checks().entrySet()) {
      boolean pass = check.getValue().pass();
      html.append("<span class=\"check ")
          .append(pass ? "pass" : "fail")
          .append("\" title=\"")
          .append(Html.escape(check.getValue().detail()))
          .append("\">")
          .append(pass ? "✓ " : "✗ ")
          .append(Html.escape(check.getKey()))
          .append("</span>");
      if (!pass && check.getValue().detail() != null) {
        html.append("<span class=\"detail\">").append(Html.escape(check.getValue().detail()));
        html.append("</span>");
      }
    }
    html.append("</div></li>");
  }

  private static String uriOf(ItemRecord record) {
    return record.image() == null ? null : record.image().uri();
  }

  private static String fileName(String uri) {
    if (uri == null) {
      return "";
    }
    return uri.substring(uri.lastIndexOf('/') + 1);
  }

  private static String percent(long part, long whole) {
    return whole == 0 ? "–" : Math.round(100.0 * part / whole) + "%";
  }

  private static String millis(long value) {
    return value >= 10_000 ? String.format(Locale.ROOT, "%.1f s", value / 1000.0) : value + " ms";
  }

  private static String duration(double seconds) {
    long whole = Math.round(seconds);
    if (whole < 120) {
      return whole + " s";
    }
    if (whole < 7200) {
      return String.format(Locale.ROOT, "%d min %02d s", whole / 60, whole % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", whole / 3600, whole % 3600 / 60);
  }

  /** A grey picture with a crossed frame, for images that could not be read. */
  private static final String PLACEHOLDER =
      "data:image/svg+xml;base64,"
          + java.util.Base64.getEncoder()
              .encodeToString(
                  ("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"160\" height=\"120\""
                          + " viewBox=\"0 0 160 120\"><rect width=\"160\" height=\"120\""
                          + " fill=\"#eceef2\"/><path d=\"M0 0L160 120M160 0L0 120\""
                          + " stroke=\"#d3d7df\" stroke-width=\"2\"/><text x=\"80\" y=\"64\""
                          + " font-family=\"sans-serif\" font-size=\"12\" fill=\"#7b8190\""
                          + " text-anchor=\"middle\">no preview</text></svg>")
                      .getBytes(java.nio.charset.StandardCharsets.UTF_8));

  private static final String SCRIPT =
      """
      (function () {
        var filter = document.getElementById('filter');
        if (!filter) { return; }
        var cards = Array.prototype.slice.call(document.querySelectorAll('#gallery .card'));
        filter.addEventListener('input', function () {
          var needle = filter.value.trim().toLowerCase();
          cards.forEach(function (card) {
            var text = card.textContent.toLowerCase();
            card.style.display = !needle || text.indexOf(needle) >= 0 ? '' : 'none';
          });
        });
      })();
      """;

  private static final String STYLE =
      """
      :root{--ink:#1d2430;--muted:#667085;--line:#e4e7ec;--bg:#f6f7f9;--card:#fff;
      --accent:#3d6fd9;--ok:#2f9e63;--warn:#e0962b;--bad:#d9534f}
      *{box-sizing:border-box}
      body{margin:0;background:var(--bg);color:var(--ink);
      font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
      header,section,footer{max-width:1240px;margin:0 auto;padding:0 24px}
      header{display:flex;justify-content:space-between;align-items:flex-start;padding-top:28px}
      h1{margin:0;font-size:26px;letter-spacing:-.01em}
      h2{margin:0;font-size:19px}
      h3{margin:0 0 10px;font-size:14px;color:var(--muted);font-weight:600;
      text-transform:uppercase;letter-spacing:.04em}
      .sub{margin:4px 0 0;color:var(--muted);word-break:break-all}
      .status{padding:5px 12px;border-radius:999px;font-weight:600;background:#e8f5ee;color:var(--ok)}
      .status-cancelled,.status-stopped{background:#fdf1e1;color:#a8661a}
      .figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(120px,1fr));gap:12px;
      margin-top:22px}
      .figure{background:var(--card);border:1px solid var(--line);border-top:3px solid var(--accent);
      border-radius:10px;padding:12px 14px}
      .figure .value{font-size:22px;font-weight:700;white-space:nowrap}
      .figure .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
      .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:14px;
      margin-top:18px}
      .panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px}
      .donut-wrap{display:flex;align-items:center;gap:28px}
      svg.donut{width:140px;height:140px;flex:none}
      .donut-figure{font-size:8px;font-weight:700;text-anchor:middle;fill:var(--ink)}
      .donut-caption{font-size:3.2px;text-anchor:middle;fill:var(--muted);text-transform:uppercase}
      .outcomes{list-style:none;margin:0;padding:0;min-width:160px}
      .outcomes li{display:flex;align-items:center;gap:8px;padding:4px 0;
      border-bottom:1px solid var(--line)}
      .outcomes b{margin-left:auto}
      .outcomes i,.legend i{display:inline-block;width:10px;height:10px;border-radius:2px}
      svg.bars{width:100%;height:auto}
      .bar-label{font-size:12px;text-anchor:end;fill:var(--ink)}
      .bar-value{font-size:12px;fill:var(--muted)}
      .bar-track{fill:#f0f2f5}
      .legend{display:flex;gap:16px;flex-wrap:wrap;color:var(--muted);font-size:12px;margin-top:6px}
      .legend span{display:flex;align-items:center;gap:6px}
      .section-head{display:flex;align-items:baseline;gap:14px;margin:30px 0 12px;flex-wrap:wrap}
      .section-head span{color:var(--muted)}
      #filter{margin-left:auto;padding:7px 10px;border:1px solid var(--line);border-radius:8px;
      min-width:260px;font:inherit}
      .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:14px}
      .card{background:var(--card);border:1px solid var(--line);border-radius:10px;overflow:hidden;
      display:flex;flex-direction:column}
      .card.rejected{border-top:3px solid var(--warn)}
      .thumb{background:#eef0f4;display:flex;align-items:center;justify-content:center;height:190px}
      .thumb img{max-width:100%;max-height:190px;width:auto;height:auto;display:block}
      .body{padding:10px 12px 12px}
      .file{font-size:12px;color:var(--muted);white-space:nowrap;overflow:hidden;
      text-overflow:ellipsis}
      .caption-label{margin-top:8px;font-size:11px;color:var(--muted);text-transform:uppercase;
      letter-spacing:.04em}
      .caption{margin:2px 0 0}
      details.caption summary{cursor:pointer;list-style:none}
      details.caption summary::-webkit-details-marker{display:none}
      details.caption[open] summary{display:none}
      details.caption p{margin:0}
      .more{color:var(--accent);font-weight:600}
      ol.qa{list-style:none;margin:10px 0 0;padding:0}
      ol.qa li{border-left:3px solid var(--ok);padding:2px 0 2px 9px;margin-top:8px}
      ol.qa li.fail{border-left-color:var(--warn)}
      .q{margin:0;font-weight:600}
      .a{margin:2px 0 0;color:#344054}
      .checks{margin-top:5px;display:flex;flex-wrap:wrap;gap:5px;align-items:center}
      .check{font-size:11px;padding:1px 7px;border-radius:999px;background:#e8f5ee;color:var(--ok)}
      .check.fail{background:#fdf1e1;color:#a8661a}
      .detail{font-size:12px;color:var(--muted)}
      .meta{margin-top:9px;font-size:12px;color:var(--muted)}
      .reason{margin-top:8px}
      .badge{display:inline-block;font-size:11px;font-weight:600;padding:1px 8px;margin-right:6px;
      border-radius:999px;background:#fdf1e1;color:#a8661a}
      .badge.fail{background:#fbe9e8;color:var(--bad)}
      table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);
      border-radius:10px;overflow:hidden}
      th,td{text-align:left;padding:8px 12px;border-bottom:1px solid var(--line);vertical-align:top}
      th{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
      .empty{color:var(--muted)}
      footer{color:var(--muted);font-size:12px;padding:30px 24px 40px;word-break:break-all}
      """;
}
