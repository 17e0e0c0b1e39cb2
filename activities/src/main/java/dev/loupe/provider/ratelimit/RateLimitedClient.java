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
 * An endpoint's client behind this worker's limits: a call waits for a slot under the adaptive
 * concurrency limit, then for its turn in the tokens-per-minute budget, then goes out once. It
 * never retries: a call that would wait longer than {@code maxWait} fails at once as {@link
 * FailureType#RATE_LIMITED} with the wait as its retry hint, and Temporal retries it. Requests per
 * minute are capped elsewhere, by the server-side rate limit of the endpoint's task queue, which
 * holds across all workers.
 */
public final class RateLimitedClient implements ModelClient {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimitedClient.class);

  private final String endpoint;
  private final ModelClient delegate;
  private final AdaptiveConcurrency concurrency;
  private final Optional<TokenBudget> budget;
  private final Duration maxWait;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;

  /** Waits; a seam for tests. */
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /**
   * @param endpoint the endpoint's name, for messages
   * @param budget the tokens-per-minute budget, or empty for none
   * @param maxWait how long a call may wait for the limits; keep it and the client's call timeout
   *     within the activity's start-to-close timeout
   */
  public RateLimitedClient(
      String endpoint,
      ModelClient delegate,
      AdaptiveConcurrency concurrency,
      Optional<TokenBudget> budget,
      Duration maxWait) {
    this(
        endpoint,
        delegate,
        concurrency,
        budget,
        maxWait,
        System::nanoTime,
        duration -> Thread.sleep(duration));
  }

  RateLimitedClient(
      String endpoint,
      ModelClient delegate,
      AdaptiveConcurrency concurrency,
      Optional<TokenBudget> budget,
      Duration maxWait,
      LongSupplier nanoTime,
      Sleeper sleeper) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.concurrency = Objects.requireNonNull(concurrency, "concurrency");
    this.budget = Objects.requireNonNull(budget, "budget");
    this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
  }

  @Override
  public ModelResponse complete(ModelRequest request) throws ProviderException {
    long deadline = nanoTime.getAsLong() + maxWait.toNanos();
    AdaptiveConcurrency.Permit permit = acquire(deadline);
    Outcome outcome = Outcome.OTHER;
    Optional<Duration> retryAfter = Optional.empty();
    long reserved = 0;
    try {
      reserved = reserveTokens(request, deadline);
      ModelResponse response = delegate.complete(request);
      long correction = response.inputTokens() + response.outputTokens() - reserved;
      budget.ifPresent(b -> b.adjust(correction));
      reserved = 0;
      outcome = Outcome.SUCCESS;
      return response;
    } catch (ProviderException e) {
      if (e.type() == FailureType.RATE_LIMITED && e.httpStatus() == 429) {
        outcome = Outcome.RATE_LIMITED;
        retryAfter = e.retryAfter();
      }
      throw e;
    } finally {
      long refund = reserved;
      budget.ifPresent(b -> b.adjust(-refund));
      release(permit, outcome, retryAfter);
    }
  }

  private enum Outcome {
    SUCCESS,
    RATE_LIMITED,
    OTHER
  }

  private AdaptiveConcurrency.Permit acquire(long deadline) throws ProviderException {
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
            + maxWait.toSeconds()
            + " s (concurrency limit "
            + concurrency.currentLimit()
            + ", lowered by 429s); retrying later",
        null);
  }

  /** Returns the tokens reserved, after waiting for their turn. */
  private long reserveTokens(ModelRequest request, long deadline) throws ProviderException {
    if (budget.isEmpty()) {
      return 0;
    }
    TokenBudget tokens = budget.get();
    long estimate = TokenEstimate.of(request);
    Duration left = Duration.ofNanos(Math.max(0, deadline - nanoTime.getAsLong()));
    Optional<Duration> wait = tokens.reserve(estimate, left);
    if (wait.isEmpty()) {
      Duration needed = tokens.waitFor(estimate);
      throw new ProviderException(
          FailureType.RATE_LIMITED,
          0,
          needed,
          "endpoint "
              + endpoint
              + ": the budget of "
              + tokens.tokensPerMinute()
              + " tokens per minute has no room for about "
              + estimate
              + " tokens within "
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
      tokens.adjust(-estimate);
      Thread.currentThread().interrupt();
      throw interrupted();
    }
    return estimate;
  }

  private void release(
      AdaptiveConcurrency.Permit permit, Outcome outcome, Optional<Duration> retryAfter) {
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
