package dev.loupe.workflow;

import dev.loupe.contract.TokenBudgetState.Holder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * How much of an endpoint's tokens per minute one process gets when it asks: its max-min fair share
 * of the limit by demand (no process gets more than it asks for while another gets less than its
 * fair part, and what the modest ones leave goes to the busy ones), plus an even part of what no
 * one asks for, so a process can grow; but never more than the others' live leases leave free, so
 * the leases held add up to at most the limit even while a process that lost share has not yet
 * renewed. Pure; used inside {@link TokenBudgetWorkflowImpl}.
 */
final class TokenShares {
  private TokenShares() {}

  /**
   * @param limit the endpoint's tokens per minute
   * @param others the live leases of the other processes
   * @param demand what the asking process asks for
   * @return tokens per minute granted to the asking process, within 0..limit
   */
  static long grant(long limit, Collection<Holder> others, long demand) {
    List<Long> demands = new ArrayList<>(others.size() + 1);
    long held = 0;
    for (Holder other : others) {
      demands.add(other.demand());
      held += other.granted();
    }
    long fair = fairShare(limit, demands, demand);
    demands.add(demand);
    long claimed = 0;
    for (int i = 0; i < demands.size(); i++) {
      List<Long> rest = new ArrayList<>(demands);
      long one = rest.remove(i);
      claimed += fairShare(limit, rest, one);
    }
    long surplus = Math.max(0, limit - claimed) / demands.size();
    long free = Math.max(0, limit - held);
    return Math.min(free, Math.min(limit, fair + surplus));
  }

  /**
   * The asking process's part of {@code limit} by water-filling: the demands, smallest first, are
   * met in full while they fit in an even split of what is left.
   */
  static long fairShare(long limit, List<Long> others, long demand) {
    List<Long> sorted = new ArrayList<>(others);
    sorted.sort(null);
    long left = limit;
    int remaining = sorted.size() + 1;
    for (long other : sorted) {
      long even = left / remaining;
      if (demand <= even && demand <= other) {
        return demand;
      }
      if (other > even) {
        return Math.min(demand, even);
      }
      left -= other;
      remaining--;
    }
    return Math.min(demand, left);
  }
}
