package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What {@link TokenBudgetWorkflow} holds, carried across continue-as-new: the limit, what the
 * provider's bucket holds as far as the fleet's reported usage tells, and one entry per process
 * whose lease has not run out. Small: a few fields per live API worker process.
 *
 * @param tokensPerMinute the endpoint's limit, as the last process to ask set it; 0 before any
 * @param holders the live leases
 * @param providerLevel tokens the provider's bucket holds by the fleet's reported usage (a minute's
 *     worth at most, refilled at the limit), at {@code providerAtMillis}
 * @param providerAtMillis workflow time of {@code providerLevel}; 0 before any lease, when the
 *     provider's bucket counts as full
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TokenBudgetState(
    long tokensPerMinute, List<Holder> holders, double providerLevel, long providerAtMillis) {
  public static final TokenBudgetState EMPTY = new TokenBudgetState(0, List.of(), 0, 0);

  public TokenBudgetState {
    holders = holders == null ? List.of() : List.copyOf(holders);
  }

  /**
   * @param worker the process's identity
   * @param demand tokens per minute it last asked for
   * @param granted tokens per minute it holds
   * @param expiresAtMillis workflow time when its lease runs out unless renewed
   * @param level tokens its bucket held after its last lease (its report plus the credit, within
   *     its grant); null when it did not say, and then it counts as holding its whole grant
   * @param levelAtMillis workflow time of {@code level}
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Holder(
      String worker,
      long demand,
      long granted,
      long expiresAtMillis,
      Long level,
      long levelAtMillis) {

    /**
     * What its bucket holds at {@code nowMillis} if it spent nothing since: its level refilled at
     * its grant, within a minute's worth of it.
     */
    public double levelAt(long nowMillis) {
      if (level == null) {
        return granted;
      }
      double refilled = level + granted * Math.max(0, nowMillis - levelAtMillis) / 60_000.0;
      return Math.min(granted, refilled);
    }
  }
}
