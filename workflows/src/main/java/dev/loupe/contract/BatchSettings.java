package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Duration;

/**
 * When an endpoint's batch lane sends a provider batch, resolved from the endpoint's {@code batch:}
 * settings (capped at the provider's limits) when the dataset starts. Being part of the dataset's
 * plan, a running dataset keeps them whatever later builds default to.
 *
 * @param maxRequests a batch is sent once this many lines wait, and never holds more
 * @param maxBytes a batch is sent once its input file would reach this size, and never exceeds it
 * @param maxWaitSeconds a batch is sent once its oldest line has waited this long
 * @param pollSeconds how often open batches and the spool are looked at
 * @param lineHeartbeatSeconds the heartbeat timeout of a call waiting in the lane: its batch
 *     workflow heartbeats it every fifth of this, and a call nobody heartbeats this long (its task
 *     was lost before it wrote its line) is retried. Null in plans made before it existed: those
 *     calls keep {@link #LEGACY_LINE_HEARTBEAT} and the keep-alive of their lane's {@link
 *     BatchTuning}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchSettings(
    int maxRequests,
    long maxBytes,
    int maxWaitSeconds,
    int pollSeconds,
    Integer lineHeartbeatSeconds) {

  /** The heartbeat timeout of waiting calls unless configured (see {@link #forPoll}). */
  public static final int DEFAULT_LINE_HEARTBEAT_SECONDS = 900;

  /** The heartbeat timeout of waiting calls in plans made before it was a setting. */
  public static final Duration LEGACY_LINE_HEARTBEAT = Duration.ofHours(1);

  /** Keep-alives per heartbeat timeout: four may be late before a waiting call times out. */
  static final int KEEP_ALIVES_PER_TIMEOUT = 5;

  /**
   * A lane sends keep-alives only at its poll ticks, so the timeout spans at least this many ticks.
   */
  public static final int MIN_POLLS_PER_TIMEOUT = 3;

  public BatchSettings {
    if (maxRequests < 1 || maxBytes < 1 || maxWaitSeconds < 0 || pollSeconds < 1) {
      throw new IllegalArgumentException(
          "batch settings must be positive: maxRequests "
              + maxRequests
              + ", maxBytes "
              + maxBytes
              + ", maxWaitSeconds "
              + maxWaitSeconds
              + ", pollSeconds "
              + pollSeconds);
    }
    if (lineHeartbeatSeconds != null
        && (lineHeartbeatSeconds < 60
            || lineHeartbeatSeconds < MIN_POLLS_PER_TIMEOUT * (long) pollSeconds)) {
      throw new IllegalArgumentException(
          "batch.lineHeartbeatSeconds must be at least 60 and at least "
              + MIN_POLLS_PER_TIMEOUT
              + " × pollSeconds ("
              + MIN_POLLS_PER_TIMEOUT * (long) pollSeconds
              + "): "
              + lineHeartbeatSeconds);
    }
  }

  /** Settings with the default heartbeat timeout for their poll interval. */
  public BatchSettings(int maxRequests, long maxBytes, int maxWaitSeconds, int pollSeconds) {
    this(maxRequests, maxBytes, maxWaitSeconds, pollSeconds, forPoll(pollSeconds));
  }

  /** The default heartbeat timeout: 15 min, or three poll intervals where those are longer. */
  public static int forPoll(int pollSeconds) {
    return (int)
        Math.min(
            Integer.MAX_VALUE,
            Math.max(DEFAULT_LINE_HEARTBEAT_SECONDS, MIN_POLLS_PER_TIMEOUT * (long) pollSeconds));
  }

  /** The heartbeat timeout of a call waiting in this lane. */
  public Duration lineHeartbeatTimeout() {
    return lineHeartbeatSeconds == null
        ? LEGACY_LINE_HEARTBEAT
        : Duration.ofSeconds(lineHeartbeatSeconds);
  }

  /**
   * How often the lane heartbeats its waiting calls: a fifth of their heartbeat timeout, or, for
   * plans made before that was a setting, the lane's recorded tuning.
   */
  public long keepAliveEverySeconds(BatchTuning tuning) {
    return lineHeartbeatSeconds == null
        ? tuning.keepAliveEverySeconds()
        : Math.max(1, lineHeartbeatSeconds / KEEP_ALIVES_PER_TIMEOUT);
  }

  /** Whether this lane's keep-alive follows its heartbeat timeout (plans made since it existed). */
  public boolean keepsAliveBetweenDeliveries() {
    return lineHeartbeatSeconds != null;
  }
}
