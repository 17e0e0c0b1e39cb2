package dev.loupe.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A tokens-per-minute limit that {@link FakeBenchEndpoint} enforces as a provider does: a bucket of
 * input plus output tokens that refills continuously at the limit and holds a minute's worth; a
 * request whose tokens do not fit is answered 429 with the time until they would. Counts a request
 * by the usage its answer reports (the fake knows it before answering). Keeps the time and tokens
 * of every admitted request, for the share of the limit used. Thread-safe.
 */
public final class FakeTokenRateLimit {
  private final long perMinute;
  private final double perNano;
  private final List<long[]> admitted = new ArrayList<>();
  private double tokens;
  private long updatedAt;

  public FakeTokenRateLimit(long perMinute) {
    this.perMinute = perMinute;
    this.perNano = perMinute / 60e9;
    this.tokens = perMinute;
    this.updatedAt = System.nanoTime();
  }

  long perMinute() {
    return perMinute;
  }

  /** Takes {@code amount}; empty when the request may pass, else how long until it would. */
  public synchronized Optional<Duration> tryAcquire(long amount) {
    long now = System.nanoTime();
    tokens = Math.min(perMinute, tokens + (now - updatedAt) * perNano);
    updatedAt = now;
    if (tokens >= amount) {
      admitted.add(new long[] {now, amount, (long) tokens});
      tokens -= amount;
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos((long) Math.ceil((amount - tokens) / perNano)));
  }

  /** The tokens of all admitted requests. */
  public synchronized long admittedTokens() {
    return admitted.stream().mapToLong(call -> call[1]).sum();
  }

  /**
   * {@code {System.nanoTime(), tokens, what the bucket held just before}} of each admitted request,
   * in order.
   */
  synchronized List<long[]> admitted() {
    return List.copyOf(admitted);
  }
}
