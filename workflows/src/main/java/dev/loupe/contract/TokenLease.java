package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A process's share of an endpoint's tokens per minute ({@link TokenBudgetWorkflow#LEASE}).
 *
 * @param tokensPerMinute the rate granted, at most the limit minus what the other live leases hold;
 *     0 while the others hold it all (ask again after {@code renewAfterMillis})
 * @param validMillis how long the grant counts against the limit from when the workflow handled the
 *     request; the process must stop spending it by then unless renewed
 * @param renewAfterMillis when to ask again
 * @param processes the processes holding a live lease on the endpoint, this one included
 * @param credit tokens the process may add to its bucket at once (up to a minute's worth of its
 *     grant): its part of the provider's burst that no process holds, e.g. at the start, or what a
 *     process gave up when its share shrank or it died; 0 when there is none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TokenLease(
    long tokensPerMinute, long validMillis, long renewAfterMillis, int processes, long credit) {}
