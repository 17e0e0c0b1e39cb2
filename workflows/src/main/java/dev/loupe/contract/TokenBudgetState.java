package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What {@link TokenBudgetWorkflow} holds, carried across continue-as-new: the limit and one entry
 * per process whose lease has not run out. Small: a few fields per live API worker process.
 *
 * @param tokensPerMinute the endpoint's limit, as the last process to ask set it; 0 before any
 * @param holders the live leases
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TokenBudgetState(long tokensPerMinute, List<Holder> holders) {
  public static final TokenBudgetState EMPTY = new TokenBudgetState(0, List.of());

  public TokenBudgetState {
    holders = holders == null ? List.of() : List.copyOf(holders);
  }

  /**
   * @param worker the process's identity
   * @param demand tokens per minute it last asked for
   * @param granted tokens per minute it holds
   * @param expiresAtMillis workflow time when its lease runs out unless renewed
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Holder(String worker, long demand, long granted, long expiresAtMillis) {}
}
