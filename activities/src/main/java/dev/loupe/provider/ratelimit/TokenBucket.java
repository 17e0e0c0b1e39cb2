package dev.loupe.provider.ratelimit;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A rate per minute for one worker, as a bucket that refills continuously and holds {@code
 * capacity}: a tokens-per-minute budget holds a minute's worth, a request pacer one request. A
 * caller reserves what it needs at once, possibly driving the level below zero, and then waits
 * until its turn (as Guava's {@code RateLimiter} does), so callers go in the order they reserved
 * and the rate never exceeds the bucket's. A reservation larger than the capacity goes once the
 * bucket is full. A reservation can be corrected afterwards, e.g. to the usage a provider reported.
 * The rate and capacity can change while it runs (a fleet-wide lease grants a new share); what the
 * bucket holds is then cut to the new capacity, and raised only by an explicit {@link #credit}.
 * Thread-safe.
 */
public final class TokenBucket {
  private long perMinute;
  private long capacity;
  private double perNano;
  private final LongSupplier nanoTime;
  private double level;
  private long updatedAt;
  private long spent;
  private long asked;
  private boolean leased;

  /**
   * @param perMinute the refill rate
   * @param capacity the most the bucket holds, and so the largest burst
   */
  public TokenBucket(long perMinute, long capacity) {
    this(perMinute, capacity, System::nanoTime);
  }

  TokenBucket(long perMinute, long capacity, LongSupplier nanoTime) {
    if (perMinute < 1 || capacity < 1) {
      throw new IllegalArgumentException(
          "the rate and the capacity must be positive: " + perMinute + ", " + capacity);
    }
    this.perMinute = perMinute;
    this.capacity = capacity;
    this.perNano = perMinute / 60e9;
    this.nanoTime = nanoTime;
    this.level = capacity;
    this.updatedAt = nanoTime.getAsLong();
  }

  /** A tokens-per-minute budget: a minute's worth may go at once. */
  public static TokenBucket perMinuteBudget(long perMinute) {
    return new TokenBucket(perMinute, perMinute);
  }

  /**
   * A pacer: calls evenly spaced at the rate, one at a time. Providers allow some burst within a
   * per-minute limit (at least a second's worth: OpenAI documents 60,000 a minute enforced as 1,000
   * a second), so evenly spaced calls keep within it and leave that burst to absorb the network's
   * jitter.
   */
  public static TokenBucket pacer(long perMinute) {
    return new TokenBucket(perMinute, 1);
  }

  public synchronized long perMinute() {
    return perMinute;
  }

  public synchronized long capacity() {
    return capacity;
  }

  /**
   * A bucket whose rate follows a lease that changes every few seconds ({@link FleetTokenBudget}):
   * a wait computed at today's rate says little, so callers wait in short steps. It starts empty:
   * what it may spend at once comes from the lease's credit ({@link #credit}), never from a guess.
   */
  static TokenBucket leased(long perMinute) {
    TokenBucket bucket = new TokenBucket(perMinute, perMinute);
    bucket.leased = true;
    bucket.level = 0;
    return bucket;
  }

  /** Whether the rate follows a lease (see {@link #leased}). */
  public synchronized boolean isLeased() {
    return leased;
  }

  /** Marks this bucket as following a lease; for tests with their own clock. */
  synchronized TokenBucket asLeased() {
    leased = true;
    return this;
  }

  /**
   * Changes the refill rate and the capacity from now on; the level is cut to the new capacity.
   * Reservations already made keep the wait they were given.
   */
  public synchronized void setRate(long perMinute, long capacity) {
    if (perMinute < 1 || capacity < 1) {
      throw new IllegalArgumentException(
          "the rate and the capacity must be positive: " + perMinute + ", " + capacity);
    }
    refill();
    this.perMinute = perMinute;
    this.capacity = capacity;
    this.perNano = perMinute / 60e9;
    level = Math.min(level, capacity);
  }

  /**
   * The net amount taken since the bucket was made: reservations plus corrections (refunds count
   * negative). A lease keeper reads it to learn what this process spends and asks for.
   */
  public synchronized long spent() {
    return spent;
  }

  /** All amounts asked for in {@link #reserve} since the bucket was made, refused ones included. */
  public synchronized long asked() {
    return asked;
  }

  /**
   * Reserves {@code amount} when the caller's turn comes within {@code maxWait}.
   *
   * @return how long to wait before going ahead, or empty when that would be longer than {@code
   *     maxWait}; then nothing is reserved
   */
  public synchronized Optional<Duration> reserve(long amount, Duration maxWait) {
    asked += amount;
    Duration wait = waitFor(amount);
    if (wait.compareTo(maxWait) > 0) {
      return Optional.empty();
    }
    level -= amount;
    spent += amount;
    return Optional.of(wait);
  }

  /** How long a reservation of {@code amount} made now would wait. */
  public synchronized Duration waitFor(long amount) {
    refill();
    double needed = Math.min(amount, capacity);
    return level >= needed
        ? Duration.ZERO
        : Duration.ofNanos((long) Math.ceil((needed - level) / perNano));
  }

  /**
   * Corrects a reservation: a positive difference takes more, a negative one gives back (the bucket
   * never holds more than its capacity).
   */
  public synchronized void adjust(long difference) {
    refill();
    level = Math.min(capacity, level - difference);
    spent += difference;
  }

  /**
   * Adds {@code amount} to what the bucket holds, up to its capacity, without counting it as spent:
   * burst handed over by a lease ({@link FleetTokenBudget}).
   */
  public synchronized void credit(long amount) {
    if (amount < 0) {
      throw new IllegalArgumentException("a credit cannot be negative: " + amount);
    }
    refill();
    level = Math.min(capacity, level + amount);
  }

  /** What the bucket holds now; negative while reservations wait for their turn. */
  synchronized double level() {
    refill();
    return level;
  }

  private void refill() {
    long now = nanoTime.getAsLong();
    level = Math.min(capacity, level + (now - updatedAt) * perNano);
    updatedAt = now;
  }
}
