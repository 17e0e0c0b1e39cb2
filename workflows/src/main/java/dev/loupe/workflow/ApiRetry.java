package dev.loupe.workflow;

import java.time.Duration;

/**
 * The retry policy of model calls, which workers may set from their configuration: how many
 * attempts before an item fails, and the back-off between them. A provider's retry hint
 * (Retry-After) replaces the back-off for the attempt it answers.
 *
 * @param maximumAttempts attempts in all, at least 1
 * @param initialInterval first back-off
 * @param maximumInterval back-off cap
 */
public record ApiRetry(int maximumAttempts, Duration initialInterval, Duration maximumInterval) {
  public static final ApiRetry DEFAULT =
      new ApiRetry(8, Duration.ofSeconds(2), Duration.ofMinutes(1));

  public ApiRetry {
    if (maximumAttempts < 1) {
      throw new IllegalArgumentException("maximumAttempts must be at least 1: " + maximumAttempts);
    }
    if (initialInterval.isNegative() || initialInterval.isZero()) {
      throw new IllegalArgumentException("initialInterval must be positive: " + initialInterval);
    }
    if (maximumInterval.compareTo(initialInterval) < 0) {
      throw new IllegalArgumentException("maximumInterval must be at least initialInterval");
    }
  }
}
