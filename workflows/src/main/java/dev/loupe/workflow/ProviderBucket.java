package dev.loupe.workflow;

import dev.loupe.contract.TokenBudgetState.Holder;
import java.time.Duration;
import java.util.Collection;

/**
 * The provider's tokens-per-minute bucket as {@link TokenBudgetWorkflowImpl} sees it from the
 * fleet's reports: full at first (as a provider's is after a quiet minute), refilled at the limit
 * up to a minute's worth, less what the processes report they took. What it holds beyond what the
 * processes' own buckets hold is burst that nobody may spend (at the start, or what a process gave
 * up when its share shrank or it died); {@link #credit} hands it to a process that asks, so the
 * fleet's buckets together hold what the provider allows and never more. Pure and deterministic.
 */
final class ProviderBucket {
  /**
   * Kept back from every credit, as this long of the whole limit: a report lags its process by the
   * time its update takes, and a process refills meanwhile.
   */
  static final Duration MARGIN = Duration.ofSeconds(2);

  private double level;
  private long atMillis;

  /**
   * @param level what the bucket held at {@code atMillis}
   * @param atMillis workflow time; 0 for a bucket never seen, which counts as full
   */
  ProviderBucket(double level, long atMillis) {
    this.level = level;
    this.atMillis = atMillis;
  }

  /** The {@link #MARGIN} at {@code limit} tokens a minute. */
  static long margin(long limit) {
    return limit * MARGIN.toMillis() / 60_000;
  }

  double level() {
    return level;
  }

  long atMillis() {
    return atMillis;
  }

  /** Refills the bucket to {@code nowMillis} at {@code limit} a minute, up to a minute's worth. */
  void refill(long limit, long nowMillis) {
    if (atMillis == 0) {
      level = limit;
    } else {
      level = Math.min(limit, level + limit * Math.max(0, nowMillis - atMillis) / 60_000.0);
    }
    atMillis = nowMillis;
  }

  /** Takes what a process reports it took since its last lease. */
  void take(long used) {
    level -= used;
  }

  /**
   * What the asking process may add to its bucket now: what the provider's bucket holds beyond the
   * other processes' buckets (each refilled at its grant since it last reported) and the asking
   * one's, less the {@link #MARGIN}, and no more than fills the asking one's bucket to its grant.
   *
   * @param others the other processes' live leases
   * @param reported what the asking process's bucket holds, or null when it does not say
   * @param granted the asking process's new grant, and so its bucket's capacity
   */
  long credit(long limit, Collection<Holder> others, long nowMillis, Long reported, long granted) {
    if (reported == null || granted == 0) {
      return 0;
    }
    double own = Math.min(reported, granted);
    double held = own;
    for (Holder other : others) {
      held += other.levelAt(nowMillis);
    }
    double free = level - held - margin(limit);
    return (long) Math.max(0, Math.min(granted - own, Math.floor(free)));
  }
}
