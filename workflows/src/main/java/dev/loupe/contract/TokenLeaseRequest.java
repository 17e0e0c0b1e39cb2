package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Objects;

/**
 * An API worker process asks for its share of an endpoint's tokens per minute ({@link
 * TokenBudgetWorkflow#LEASE}).
 *
 * @param worker the process's identity (Temporal worker identity plus a per-start nonce), unique
 *     per process start so a restarted process never inherits a dead one's lease
 * @param tokensPerMinute the endpoint's limit as this process is configured; the last one asking
 *     sets it, as the last worker to poll sets a task queue's rate limit
 * @param demand tokens per minute this process would use if it could, at least 1
 * @param used tokens (input plus output) this process took from its budget since its previous
 *     lease: reservations of calls made, less the refunds once providers reported their usage (a
 *     net refund is carried into the next lease's figure)
 * @param level tokens this process's bucket holds as it asks (negative while calls wait for their
 *     turn); null from a process that does not say, which then counts as holding its whole grant
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TokenLeaseRequest(
    String worker, long tokensPerMinute, long demand, long used, Long level) {
  public TokenLeaseRequest {
    Objects.requireNonNull(worker, "worker");
    if (tokensPerMinute < 1 || demand < 1 || used < 0) {
      throw new IllegalArgumentException(
          "limit and demand must be positive, usage not negative: "
              + tokensPerMinute
              + ", "
              + demand
              + ", "
              + used);
    }
  }
}
