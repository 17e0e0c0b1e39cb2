package dev.loupe.provider.ratelimit;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * One worker's tokens-per-minute budget for an endpoint: a bucket that refills continuously at the
 * budget's rate and holds one minute's worth. A call reserves its estimate at once, possibly
 * driving the level below zero, and then waits until its turn (as Guava's {@code RateLimiter}
 * does), so calls go out in the order they reserved and the rate never exceeds the budget. A call
 * larger than the whole bucket goes out once the bucket is full. After the call, the reservation is
 * corrected to what the provider reported. Thread-safe.
 */
public final class TokenBudget {
  private final long tokensPerMinute;
  private final double perNano;
  private final LongSupplier nanoTime;
  private double level;
  private long updatedAt;

  public TokenBudget(long tokensPerMinute) {
    this(tokensPerMinute, System::nanoTime);
  }

  TokenBudget(long tokensPerMinute, LongSupplier nanoTime) {
    if (tokensPerMinute < 1) {
      throw new IllegalArgumentException("tokensPerMinute must be positive: " + tokensPerMinute);
    }
    this.tokensPerMinute = tokensPerMinute;
    this.perNano = tokensPerMinute / 60e9;
    this.nanoTime = nanoTime;
    this.level = tokensPerMinute;
    this.updatedAt = nanoTime.getAsLong();
  }

  public long tokensPerMinute() {
    return tokensPerMinute;
  }

  /**
   * Reserves {@code tokens} when the caller's turn comes within {@code maxWait}.
   *
   * @return how long to wait before sending, or empty when that would be longer than {@code
   *     maxWait}; then nothing is reserved
   */
  public synchronized Optional<Duration> reserve(long tokens, Duration maxWait) {
    Duration wait = waitFor(tokens);
    if (wait.compareTo(maxWait) > 0) {
      return Optional.empty();
    }
    level -= tokens;
    return Optional.of(wait);
  }

  /** How long a reservation of {@code tokens} made now would wait. */
  public synchronized Duration waitFor(long tokens) {
    refill();
    double needed = Math.min(tokens, tokensPerMinute);
    return level >= needed
        ? Duration.ZERO
        : Duration.ofNanos((long) Math.ceil((needed - level) / perNano));
  }

  /**
   * Corrects a reservation once the provider reported usage: a positive difference takes more, a
   * negative one gives back (the bucket never holds more than a minute's worth).
   */
  public synchronized void adjust(long difference) {
    refill();
    level = Math.min(tokensPerMinute, level - difference);
  }

  /** Tokens available now; negative while reservations wait for their turn. */
  synchronized double level() {
    refill();
    return level;
  }

  private void refill() {
    long now = nanoTime.getAsLong();
    level = Math.min(tokensPerMinute, level + (now - updatedAt) * perNano);
    updatedAt = now;
  }
}
