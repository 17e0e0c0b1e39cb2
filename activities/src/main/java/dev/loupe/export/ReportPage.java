package dev.loupe.export;

import dev.loupe.contract.Counts;
import dev.loupe.contract.FailedImage;
import dev.loupe.contract.QaPair;
import dev.loupe.export.Thumbnails.Thumbnail;
import dev.loupe.record.ItemRecord;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html}: one self-contained page (inline CSS, SVG and a few lines of script; images
 * as {@code data:} URIs) with the run's figures, charts of outcomes, rejections, tokens, cost and
 * stage latency, a gallery of accepted samples and examples of rejected ones.
 *
 * <p>The page is {@code src/main/jte/report.jte}, compiled to Java at build time with jte's HTML
 * content type, so every value a template writes is escaped for where it lands (element text,
 * attribute, script). The style sheet and script are the resources {@code report.css} and {@code
 * report.js}, written into the page as they are.
 */
final class ReportPage {
  /** A grey picture with a crossed frame, for images that could not be read. */
  static final String PLACEHOLDER =
      "data:image/svg+xml;base64,"
          + Base64.getEncoder()
              .encodeToString(
                  ("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"160\" height=\"120\""
                          + " viewBox=\"0 0 160 120\"><rect width=\"160\" height=\"120\""
                          + " fill=\"#eceef2\"/><path d=\"M0 0L160 120M160 0L0 120\""
                          + " stroke=\"#d3d7df\" stroke-width=\"2\"/><text x=\"80\" y=\"64\""
                          + " font-family=\"sans-serif\" font-size=\"12\" fill=\"#7b8190\""
                          + " text-anchor=\"middle\">no preview</text></svg>")
                      .getBytes(StandardCharsets.UTF_8));

  /** Captions longer than this show their start and fold the rest behind "more". */
  static final int PREVIEW_CHARS = 320;

  private static final TemplateEngine TEMPLATES =
      TemplateEngine.createPrecompiled(
          null, ContentType.Html, ReportPage.class.getClassLoader(), "dev.loupe.export");
  private static final String STYLE = asset("report.css", "</style");
  private static final String SCRIPT = asset("report.js", "</script");

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
      List<Example> gallery,
      List<Example> rejected,
      List<FailedImage> failed,
      List<String> files) {}

  /**
   * An image shown in the report: an accepted sample, a rejected image, or (with {@code pair}) one
   * rejected QA pair of an accepted image.
   */
  record Example(ItemRecord record, QaPair pair, Thumbnail thumbnail) {
    /** The image's URI, or null for a record without one. */
    String uri() {
      return record.image() == null ? null : record.image().uri();
    }
  }

  static String render(Report report) {
    StringOutput html = new StringOutput(64 * 1024);
    TEMPLATES.render(
        "report.jte", Map.of("report", report, "style", STYLE, "script", SCRIPT), html);
    return html.toString();
  }

  /**
   * A resource written into the page unescaped. It is ours, not data, but it must not close the
   * element it sits in.
   */
  static String asset(String name, String closingTag) {
    try (InputStream in = ReportPage.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("Missing resource " + name + " beside ReportPage");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (text.toLowerCase(Locale.ROOT).contains(closingTag)) {
        throw new IllegalStateException(name + " must not contain " + closingTag);
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
