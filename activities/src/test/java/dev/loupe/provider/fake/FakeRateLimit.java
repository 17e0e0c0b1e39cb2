package dev.loupe.provider.fake;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A requests-per-minute limit that a fake server enforces, as providers do: a token bucket that
 * refills continuously and holds {@code burstSeconds} worth of requests (OpenAI enforces a
 * per-minute limit over shorter periods, e.g. 60 per minute as 1 per second). A request that finds
 * the bucket empty is answered 429 with the time until the next token as its retry hint. Keeps the
 * arrival time of every admitted and refused request, for throughput figures. Thread-safe.
 */
public final class FakeRateLimit {
  private final double perNano;
  private final double capacity;
  private final LongSupplier nanoTime;
  private final List<Long> admitted = new ArrayList<>();
  private final List<Long> refused = new ArrayList<>();
  private double tokens;
  private long updatedAt;

  /**
   * @param requestsPerMinute the limit
   * @param burstSeconds how many seconds of requests may arrive at once (at least one request)
   */
  public FakeRateLimit(int requestsPerMinute, double burstSeconds) {
    this(requestsPerMinute, burstSeconds, System::nanoTime);
  }

  FakeRateLimit(int requestsPerMinute, double burstSeconds, LongSupplier nanoTime) {
    if (requestsPerMinute < 1 || burstSeconds <= 0) {
      throw new IllegalArgumentException("the limit and the burst must be positive");
    }
    this.perNano = requestsPerMinute / 60e9;
    this.capacity = Math.max(1, requestsPerMinute / 60.0 * burstSeconds);
    this.nanoTime = nanoTime;
    this.tokens = capacity;
    this.updatedAt = nanoTime.getAsLong();
  }

  /** Takes a token; empty when the request may pass, else how long until the next token. */
  public synchronized Optional<Duration> tryAcquire() {
    long now = nanoTime.getAsLong();
    tokens = Math.min(capacity, tokens + (now - updatedAt) * perNano);
    updatedAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      admitted.add(now);
      return Optional.empty();
    }
    refused.add(now);
    return Optional.of(Duration.ofNanos((long) Math.ceil((1 - tokens) / perNano)));
  }

  /**
   * A rule for a fake's {@code setRule}: requests within the limit get the normal answer, the rest
   * {@code tooMany} of the wait.
   */
  public <R> Function<FakeRequest, Optional<R>> rule(Function<Duration, R> tooMany) {
    return request -> tryAcquire().map(tooMany);
  }

  public synchronized int admittedCount() {
    return admitted.size();
  }

  public synchronized int refusedCount() {
    return refused.size();
  }

  /** {@link System#nanoTime()} of each admitted request, in order. */
  public synchronized List<Long> admittedAt() {
    return List.copyOf(admitted);
  }

  /** {@link System#nanoTime()} of each refused request, in order. */
  public synchronized List<Long> refusedAt() {
    return List.copyOf(refused);
  }
}
