package dev.loupe.export;

import dev.loupe.contract.Check;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.RunPlan;
import dev.loupe.record.ItemRecord;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The run-level half of the {@code perplexity} check with {@code keepLowestShare} (POINTS1.5 sorts
 * its captions by perplexity and keeps the first 20%): no image can know where it ranks while the
 * run goes on, so each one records its score and passes for now, and the export, which sees every
 * record, draws the line. A first pass over the records gathers the scores; the cut is the
 * perplexity of the {@code ⌈share × n⌉}-th lowest of the {@code n} scored captions; the second pass
 * fails the check of every caption above it (an accepted image becomes rejected with reason {@code
 * perplexity}), notes the cut in every scored caption's detail and records it as the check's {@code
 * threshold} (or {@code maxPerplexity}, where that is lower). The same records give the same cut,
 * so exporting again rewrites the same files; a retry round that adds records moves the cut with
 * them.
 *
 * <p>Memory does not grow with the run: scores are counted in buckets of 0.1% of perplexity
 * (natural log in steps of 0.001, up to e^40), each keeping its largest score, so the cut is an
 * exact score; captions within 0.1% of it (the same bucket) are all kept, so ties at the cut keep a
 * few more than the share.
 */
final class PerplexityCut {
  static final String CHECK = "perplexity";
  private static final double STEP = 0.001;
  private static final int BUCKETS = 40_000;

  private final double share;
  private final long[] counts = new long[BUCKETS];
  private final double[] largest = new double[BUCKETS];
  private long scored;
  private double cut = Double.NaN;

  PerplexityCut(double share) {
    if (!(share > 0 && share <= 1)) {
      throw new IllegalArgumentException("keepLowestShare must be in (0, 1], got " + share);
    }
    this.share = share;
  }

  /** The cut the plan asks for, or null when its perplexity check keeps no share. */
  static PerplexityCut of(RunPlan plan) {
    if (plan == null) {
      return null;
    }
    RunPlan.Perplexity perplexity = plan.checkSettingsOrDefault().perplexity();
    return perplexity == null || perplexity.keepLowestShare() == null
        ? null
        : new PerplexityCut(perplexity.keepLowestShare());
  }

  /** First pass: counts the record's score, if its caption has one. */
  void add(ItemRecord record) {
    Double score = scoreOf(record);
    if (score == null) {
      return;
    }
    int bucket = bucket(score);
    if (counts[bucket] == 0 || score > largest[bucket]) {
      largest[bucket] = score;
    }
    counts[bucket]++;
    scored++;
    cut = Double.NaN;
  }

  /** The highest perplexity kept; NaN when nothing was scored. */
  double cut() {
    if (scored == 0) {
      return Double.NaN;
    }
    if (Double.isNaN(cut)) {
      long keep = Math.max(1, (long) Math.ceil(share * scored - 1e-9));
      long seen = 0;
      for (int bucket = 0; bucket < BUCKETS; bucket++) {
        seen += counts[bucket];
        if (seen >= keep) {
          cut = largest[bucket];
          break;
        }
      }
    }
    return cut;
  }

  long scored() {
    return scored;
  }

  /** Second pass: the record with its caption's verdict decided against the cut. */
  ItemRecord apply(ItemRecord record) {
    Double score = scoreOf(record);
    if (score == null) {
      return record;
    }
    double limit = cut();
    boolean kept = score <= limit;
    Check before = record.caption().checks().get(CHECK);
    String detail =
        before.detail()
            + String.format(
                Locale.ROOT,
                "; %s the run's cut %.2f (the lowest %s%% of %d scored captions kept)",
                kept ? "within" : "above",
                limit,
                percent(share),
                scored);
    Map<String, Check> checks = new LinkedHashMap<>(record.caption().checks());
    // The bound the caption is held to: the run's cut, or maxPerplexity where that is lower.
    double threshold = before.threshold() == null ? limit : Math.min(before.threshold(), limit);
    checks.put(CHECK, new Check(before.pass() && kept, detail, score, threshold));
    boolean rejectNow = !kept && record.imageStatus() == ImageStatus.ACCEPTED;
    return new ItemRecord(
        record.id(),
        rejectNow ? ImageStatus.REJECTED.name().toLowerCase(Locale.ROOT) : record.status(),
        rejectNow ? CHECK : record.reason(),
        rejectNow ? detail : record.detail(),
        record.attempts(),
        record.image(),
        record.ocr(),
        record.caption().withChecks(checks),
        record.qa(),
        record.usage(),
        record.provenance());
  }

  /** For stats.json: how many captions were scored, the share kept and the cut. */
  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("scored", scored);
    json.put("keep_lowest_share", share);
    json.put("cut", scored == 0 ? null : cut());
    return json;
  }

  private static Double scoreOf(ItemRecord record) {
    if (record.caption() == null || record.caption().checks() == null) {
      return null;
    }
    Check check = record.caption().checks().get(CHECK);
    return check == null || check.score() == null || !Double.isFinite(check.score())
        ? null
        : check.score();
  }

  private static int bucket(double perplexity) {
    double log = Math.log(Math.max(1, perplexity));
    return (int) Math.min(BUCKETS - 1, Math.floor(log / STEP));
  }

  private static String percent(double share) {
    double percent = share * 100;
    return percent == Math.rint(percent)
        ? Long.toString((long) percent)
        : String.format(Locale.ROOT, "%.2f", percent);
  }
}
