package dev.loupe.provider.ratelimit;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * How many calls one worker has in flight to an endpoint, adapted to 429s by additive increase and
 * multiplicative decrease (AIMD). The limit starts at the configured maximum. A call answered 429
 * halves it, once per episode: calls that started before the last decrease saw the same congestion
 * and do not decrease it again. It also pauses new calls for the provider's retry hint (a second
 * without one), since every call sent meanwhile would be refused and still count against the limit.
 * Each success adds 1/limit, so a limit's worth of successes adds one. Thread-safe.
 */
public final class AdaptiveConcurrency {
  static final Duration DEFAULT_PAUSE = Duration.ofSeconds(1);

  private final int maximum;
  private final LongSupplier nanoTime;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private double limit;
  private int inFlight;
  private long lastDecreaseAt;
  private long pausedUntil;

  /** A slot held by one call, from {@link #acquire} until one of the {@code on…} methods. */
  public record Permit(long startedAt) {}

  public AdaptiveConcurrency(int maximum) {
    this(maximum, System::nanoTime);
  }

  AdaptiveConcurrency(int maximum, LongSupplier nanoTime) {
    if (maximum < 1) {
      throw new IllegalArgumentException("maximum must be positive: " + maximum);
    }
    this.maximum = maximum;
    this.nanoTime = nanoTime;
    this.limit = maximum;
    long now = nanoTime.getAsLong();
    this.lastDecreaseAt = now - 1;
    this.pausedUntil = now;
  }

  /**
   * Waits for a slot, and for the end of a pause, until {@code deadline} ({@link System#nanoTime}
   * scale).
   *
   * @return the permit, or empty when the deadline passed first
   */
  public Optional<Permit> acquire(long deadline) throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        long now = nanoTime.getAsLong();
        long pause = pausedUntil - now;
        if (pause <= 0 && inFlight < currentLimit()) {
          inFlight++;
          return Optional.of(new Permit(now));
        }
        long remaining = deadline - now;
        if (remaining <= 0) {
          return Optional.empty();
        }
        changed.awaitNanos(pause > 0 ? Math.min(pause, remaining) : remaining);
      }
    } finally {
      lock.unlock();
    }
  }

  /** The call succeeded: the limit grows by 1/limit. */
  public void onSuccess(Permit permit) {
    release(() -> limit = Math.min(maximum, limit + 1 / limit));
  }

  /**
   * The provider answered 429: the limit halves (once per episode) and new calls pause.
   *
   * @param retryAfter the provider's hint; without one new calls pause {@link #DEFAULT_PAUSE}
   */
  public void onRateLimited(Permit permit, Optional<Duration> retryAfter) {
    release(
        () -> {
          long now = nanoTime.getAsLong();
          if (permit.startedAt() - lastDecreaseAt > 0) {
            limit = Math.max(1, limit / 2);
            lastDecreaseAt = now;
          }
          long until = now + retryAfter.orElse(DEFAULT_PAUSE).toNanos();
          if (until - pausedUntil > 0) {
            pausedUntil = until;
          }
        });
  }

  /** The call ended otherwise (another failure, or it never went out): the limit stays. */
  public void onOtherOutcome(Permit permit) {
    release(() -> {});
  }

  /** The current limit on calls in flight. */
  public int currentLimit() {
    lock.lock();
    try {
      return (int) limit;
    } finally {
      lock.unlock();
    }
  }

  /** How long new calls still wait for the last 429's pause. */
  public Duration pauseRemaining() {
    lock.lock();
    try {
      return Duration.ofNanos(Math.max(0, pausedUntil - nanoTime.getAsLong()));
    } finally {
      lock.unlock();
    }
  }

  int inFlight() {
    lock.lock();
    try {
      return inFlight;
    } finally {
      lock.unlock();
    }
  }

  private void release(Runnable adjustment) {
    lock.lock();
    try {
      inFlight--;
      adjustment.run();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "AdaptiveConcurrency[limit="
        + currentLimit()
        + "/"
        + maximum
        + ", pause="
        + pauseRemaining().toMillis()
        + "ms]";
  }
}
