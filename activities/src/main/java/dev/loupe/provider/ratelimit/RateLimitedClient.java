package dev.loupe.provider.ratelimit;

import dev.loupe.contract.FailureType;
import dev.loupe.provider.ModelClient;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An endpoint's client behind this worker's {@link EndpointLimits}: a call waits for a slot under
 * the adaptive concurrency limit, for its turn in the tokens-per-minute budget, and for its place
 * in the request pacing, then goes out once. It never retries: a call that would wait longer than
 * {@code maxWait} fails at once as {@link FailureType#RATE_LIMITED} with the wait as its retry
 * hint, and Temporal retries it.
 *
 * <p>Requests per minute are capped across all workers by the server-side rate limit of the
 * endpoint's task queue. That limit is kept per task-queue partition (four by default), each with a
 * burst of its own, so tasks arrive in small bursts after a pause; spacing this worker's calls
 * evenly at the same rate spreads them out again before they reach a provider that counts per
 * second.
 */
public final class RateLimitedClient implements ModelClient {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimitedClient.class);

  /**
   * How long a call on a leased budget waits before it looks again: the lease may have raised the
   * rate meanwhile (a process that just joined holds nothing until the others renew).
   */
  static final Duration LEASED_STEP = Duration.ofSeconds(1);

  /** The longest retry hint on a leased budget, whose rate changes every couple of seconds. */
  static final Duration LEASED_MAX_HINT = Duration.ofSeconds(30);

  private final String endpoint;
  private final ModelClient delegate;
  private final EndpointLimits limits;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;

  /** Waits; a seam for tests. */
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /**
   * @param endpoint the endpoint's name, for messages
   */
  public RateLimitedClient(String endpoint, ModelClient delegate, EndpointLimits limits) {
    this(endpoint, delegate, limits, System::nanoTime, duration -> Thread.sleep(duration));
  }

  RateLimitedClient(
      String endpoint,
      ModelClient delegate,
      EndpointLimits limits,
      LongSupplier nanoTime,
      Sleeper sleeper) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
  }

  @Override
  public ModelResponse complete(ModelRequest request) throws ProviderException {
    long deadline = nanoTime.getAsLong() + limits.maxWait().toNanos();
    AdaptiveConcurrency.Permit permit = acquire(deadline);
    Outcome outcome = Outcome.OTHER;
    Optional<Duration> retryAfter = Optional.empty();
    long reservedTokens = 0;
    try {
      if (limits.tokenBudget().isPresent()) {
        long estimate = TokenEstimate.of(request);
        awaitTurn(limits.tokenBudget().get(), estimate, deadline, "tokens");
        reservedTokens = estimate;
      }
      if (limits.pacer().isPresent()) {
        awaitTurn(limits.pacer().get(), 1, deadline, "requests");
      }
      ModelResponse response = delegate.complete(request);
      long correction = response.inputTokens() + response.outputTokens() - reservedTokens;
      limits.tokenBudget().ifPresent(budget -> budget.adjust(correction));
      reservedTokens = 0;
      outcome = Outcome.SUCCESS;
      return response;
    } catch (ProviderException e) {
      if (e.type() == FailureType.RATE_LIMITED && e.httpStatus() == 429) {
        outcome = Outcome.RATE_LIMITED;
        retryAfter = e.retryAfter();
      }
      throw e;
    } finally {
      long refund = reservedTokens;
      limits.tokenBudget().ifPresent(budget -> budget.adjust(-refund));
      release(permit, outcome, retryAfter);
    }
  }

  private enum Outcome {
    SUCCESS,
    RATE_LIMITED,
    OTHER
  }

  private AdaptiveConcurrency.Permit acquire(long deadline) throws ProviderException {
    AdaptiveConcurrency concurrency = limits.concurrency();
    try {
      Optional<AdaptiveConcurrency.Permit> permit = concurrency.acquire(deadline);
      if (permit.isPresent()) {
        return permit.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw interrupted();
    }
    Duration pause = concurrency.pauseRemaining();
    throw new ProviderException(
        FailureType.RATE_LIMITED,
        0,
        pause.isZero() ? null : pause,
        "endpoint "
            + endpoint
            + ": no call slot within "
            + limits.maxWait().toSeconds()
            + " s (concurrency limit "
            + concurrency.currentLimit()
            + ", lowered by 429s); retrying later",
        null);
  }

  /**
   * Reserves {@code amount} in {@code bucket} and waits for its turn; on failure nothing stays
   * reserved. On a leased budget the turn is taken only when it comes within {@link #LEASED_STEP},
   * looking again every step until the deadline, since the lease may raise the rate meanwhile.
   */
  private void awaitTurn(TokenBucket bucket, long amount, long deadline, String unit)
      throws ProviderException {
    Duration left = Duration.ofNanos(Math.max(0, deadline - nanoTime.getAsLong()));
    Optional<Duration> wait = bucket.reserve(amount, turnWithin(bucket, left));
    while (wait.isEmpty() && bucket.isLeased() && left.compareTo(LEASED_STEP) > 0) {
      pause(LEASED_STEP);
      left = Duration.ofNanos(Math.max(0, deadline - nanoTime.getAsLong()));
      wait = bucket.reserve(amount, turnWithin(bucket, left));
    }
    if (wait.isEmpty()) {
      Duration needed = bucket.waitFor(amount);
      if (bucket.isLeased() && needed.compareTo(LEASED_MAX_HINT) > 0) {
        needed = LEASED_MAX_HINT;
      }
      throw new ProviderException(
          FailureType.RATE_LIMITED,
          0,
          needed,
          "endpoint "
              + endpoint
              + ": the limit of "
              + bucket.perMinute()
              + " "
              + unit
              + " per minute has no room for "
              + amount
              + " within "
              + left.toSeconds()
              + " s; retrying in "
              + needed.toSeconds()
              + " s",
          null);
    }
    try {
      if (!wait.get().isZero()) {
        sleeper.sleep(wait.get());
      }
    } catch (InterruptedException e) {
      bucket.adjust(-amount);
      Thread.currentThread().interrupt();
      throw interrupted();
    }
  }

  /** On a leased budget a call takes only a turn that comes within a step; else within all left. */
  private static Duration turnWithin(TokenBucket bucket, Duration left) {
    return bucket.isLeased() && left.compareTo(LEASED_STEP) > 0 ? LEASED_STEP : left;
  }

  private void pause(Duration duration) throws ProviderException {
    try {
      sleeper.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw interrupted();
    }
  }

  private void release(
      AdaptiveConcurrency.Permit permit, Outcome outcome, Optional<Duration> retryAfter) {
    AdaptiveConcurrency concurrency = limits.concurrency();
    switch (outcome) {
      case SUCCESS -> concurrency.onSuccess(permit);
      case RATE_LIMITED -> {
        int before = concurrency.currentLimit();
        concurrency.onRateLimited(permit, retryAfter);
        int after = concurrency.currentLimit();
        if (after < before) {
          LOG.info(
              "endpoint={} answered 429: concurrency limit {} -> {}, new calls pause {} ms",
              endpoint,
              before,
              after,
              concurrency.pauseRemaining().toMillis());
        }
      }
      case OTHER -> concurrency.onOtherOutcome(permit);
    }
  }

  private ProviderException interrupted() {
    return new ProviderException(
        FailureType.TRANSPORT,
        0,
        null,
        "endpoint " + endpoint + ": interrupted while waiting for the rate limits",
        null);
  }
}
