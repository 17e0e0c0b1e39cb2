package dev.loupe.export;

/**
 * Latency percentiles in constant memory: buckets growing by 5%, from 1 ms to about 2 hours, so
 * that a percentile is within 5% of the true value however many calls a run makes.
 */
final class LatencyHistogram {
  private static final double GROWTH = 1.05;
  private static final int BUCKETS = 330;

  private final long[] counts = new long[BUCKETS];
  private long total;

  void record(long millis) {
    int bucket = millis <= 1 ? 0 : (int) Math.ceil(Math.log(millis) / Math.log(GROWTH));
    counts[Math.min(bucket, BUCKETS - 1)]++;
    total++;
  }

  /** The value at the quantile (0..1), as the upper bound of its bucket; 0 when empty. */
  long percentile(double quantile) {
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(quantile * total);
    long seen = 0;
    for (int bucket = 0; bucket < BUCKETS; bucket++) {
      seen += counts[bucket];
      if (seen >= Math.max(rank, 1)) {
        return Math.round(Math.pow(GROWTH, bucket));
      }
    }
    return Math.round(Math.pow(GROWTH, BUCKETS - 1));
  }
}
