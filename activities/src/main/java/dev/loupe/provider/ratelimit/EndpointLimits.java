package dev.loupe.provider.ratelimit;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One worker's limits on one endpoint.
 *
 * @param concurrency calls in flight, lowered by 429s
 * @param tokenBudget tokens per minute, input plus output, or empty for none
 * @param pacer requests per minute as evenly spaced calls, or empty for none
 * @param maxWait how long a call may wait for all of them
 */
public record EndpointLimits(
    AdaptiveConcurrency concurrency,
    Optional<TokenBucket> tokenBudget,
    Optional<TokenBucket> pacer,
    Duration maxWait) {

  public EndpointLimits {
    Objects.requireNonNull(concurrency, "concurrency");
    Objects.requireNonNull(tokenBudget, "tokenBudget");
    Objects.requireNonNull(pacer, "pacer");
    Objects.requireNonNull(maxWait, "maxWait");
  }

  /**
   * @param requestsPerMinute the endpoint's limit, or null for none
   * @param tokensPerMinute this worker's budget, or null for none
   */
  public static EndpointLimits of(
      int maxConcurrency, Integer requestsPerMinute, Integer tokensPerMinute, Duration maxWait) {
    return new EndpointLimits(
        new AdaptiveConcurrency(maxConcurrency),
        Optional.ofNullable(tokensPerMinute).map(TokenBucket::perMinuteBudget),
        Optional.ofNullable(requestsPerMinute).map(TokenBucket::pacer),
        maxWait);
  }
}
