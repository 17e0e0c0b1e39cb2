package dev.loupe.export;

import dev.loupe.contract.Check;
import dev.loupe.contract.Counts;
import dev.loupe.contract.FailedImage;
import dev.loupe.contract.QaPair;
import dev.loupe.export.ReportPage.Example;
import dev.loupe.export.ReportPage.Report;
import dev.loupe.export.Thumbnails.Thumbnail;
import dev.loupe.image.TestImages;
import dev.loupe.record.ItemRecord;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A report whose every text that comes from outside Loupe (file names, dataset ID, output, recipe,
 * captions, model names, questions, answers, check names and details, rejection reasons, failure
 * messages, stage names) carries markup that would inject an element, an attribute or a script if
 * it reached the page unescaped. Each payload injects a distinct {@code xss-N} element or calls
 * {@code alert(N)}, so a test can name the field that leaked.
 */
final class HostileReports {
  /** The payloads, in the order they appear in {@link #report()}. */
  static final List<String> PAYLOADS =
      List.of(
          "ds</title><xss-1>",
          "completed\" onclick=\"alert(2)",
          "file:///out/\"><xss-3 onclick=alert(3)>/",
          "allava<xss-4>",
          "qa:</text><xss-5 onclick=alert(5)>",
          "describe</title><xss-6>",
          "\"><img src=x onerror=alert(7)>.png",
          "</script><script>alert(8)</script>",
          "model<xss-9>",
          "What is shown?</p><xss-10 onclick=alert(10)>",
          "'><xss-11>",
          "check<xss-12>",
          "\" onmouseover=\"alert(13)",
          "reason<xss-14>",
          "</div><xss-15>",
          "</style><xss-16>.jpg",
          "<xss-17>.png",
          "type<xss-18>",
          "<!--<xss-19>-->",
          "<xss-20>.jsonl");

  private HostileReports() {}

  static Report report() {
    Map<String, Check> checks = new LinkedHashMap<>();
    checks.put(PAYLOADS.get(11), new Check(false, PAYLOADS.get(12)));
    checks.put("self_evaluation", new Check(true, "meaningful"));
    QaPair pair = new QaPair(PAYLOADS.get(9), "reasoning", PAYLOADS.get(10), null, checks, false);
    QaPair accepted = new QaPair("Which colour?", "reasoning", "Red.", null, Map.of(), true);
    String longCaption =
        "A caption long enough to fold behind a details element. ".repeat(6)
            + PAYLOADS.get(7)
            + " and the rest of the caption.";
    ItemRecord sample =
        record(
            "a".repeat(64),
            "accepted",
            null,
            null,
            "file:///images/" + PAYLOADS.get(6),
            new ItemRecord.Caption(longCaption, PAYLOADS.get(8), null),
            List.of(accepted, pair));
    ItemRecord shortCaption =
        record(
            "c".repeat(64),
            "accepted",
            null,
            null,
            "file:///images/plain.jpg",
            new ItemRecord.Caption(PAYLOADS.get(7), "model", null),
            List.of(accepted));
    ItemRecord rejected =
        record(
            "b".repeat(64),
            "rejected",
            PAYLOADS.get(13),
            PAYLOADS.get(14),
            "file:///images/" + PAYLOADS.get(15),
            null,
            null);
    Map<String, Long> reasons = new LinkedHashMap<>();
    reasons.put(PAYLOADS.get(4), 2L);
    reasons.put("too_small", 1L);
    return new Report(
        PAYLOADS.get(0),
        PAYLOADS.get(1),
        PAYLOADS.get(2),
        PAYLOADS.get(3),
        "2026-01-02T03:04:05Z",
        "2026-01-02T03:06:15Z",
        130.4,
        new Counts(5, 2, 2, 1, 3, 12_345, 6_789, 0.0123),
        reasons,
        List.of(
            new RunStats.Stage(PAYLOADS.get(5), 4, 10_000, 5_000, 0.01, 850, 1_200, 12_500),
            new RunStats.Stage("answer", 3, 2_345, 1_789, 0.0023, 400, 500, 700)),
        List.of(new Example(sample, null, thumbnail()), new Example(shortCaption, null, null)),
        List.of(new Example(rejected, null, null), new Example(sample, pair, thumbnail())),
        List.of(
            new FailedImage(
                "d".repeat(64),
                "file:///images/" + PAYLOADS.get(16),
                PAYLOADS.get(17),
                PAYLOADS.get(18))),
        List.of("samples.jsonl", PAYLOADS.get(19), "report.html"));
  }

  private static ItemRecord record(
      String id,
      String status,
      String reason,
      String detail,
      String uri,
      ItemRecord.Caption caption,
      List<QaPair> qa) {
    return new ItemRecord(
        id,
        status,
        reason,
        detail,
        1,
        new ItemRecord.Image(uri, 800, 600, "jpeg", 1234L),
        null,
        caption,
        qa,
        new ItemRecord.UsageRecord(1_000, 500, 0.0042),
        null);
  }

  private static Thumbnail thumbnail() {
    return new Thumbnail(
        "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(TestImages.photoJpeg()),
        TestImages.WIDTH,
        TestImages.HEIGHT);
  }
}
