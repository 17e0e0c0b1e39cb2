package dev.loupe.workflow;

import dev.loupe.contract.TokenBudgetState;
import dev.loupe.contract.TokenBudgetState.Holder;
import dev.loupe.contract.TokenBudgetWorkflow;
import dev.loupe.contract.TokenLease;
import dev.loupe.contract.TokenLeaseRequest;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Leases an endpoint's tokens per minute to the API worker processes that ask ({@link
 * TokenShares}), and hands out the provider's burst that no process's bucket holds ({@link
 * ProviderBucket}). A lease counts for {@link #VALID}; processes renew every {@link #RENEW_AFTER},
 * so a process killed without a word stops holding its share at most {@code VALID} after its last
 * renewal. Continues as new after {@link #UPDATES_PER_RUN} leases or when the server suggests it,
 * carrying only the live leases.
 */
public final class TokenBudgetWorkflowImpl implements TokenBudgetWorkflow {
  private static final Logger log = Workflow.getLogger(TokenBudgetWorkflowImpl.class);

  /** How often a process asks again. */
  static final Duration RENEW_AFTER = Duration.ofSeconds(2);

  /** How long a lease counts: a few missed renewals (a slow workflow task) do not drop it. */
  static final Duration VALID = Duration.ofSeconds(10);

  /** Well under the server's limit on updates per run (2,000 by default). */
  static final int UPDATES_PER_RUN = 1000;

  private final Map<String, Holder> holders = new LinkedHashMap<>();
  private long tokensPerMinute;
  private ProviderBucket provider = new ProviderBucket(0, 0);
  private int updates;

  @Override
  public void run(TokenBudgetState state) {
    tokensPerMinute = state.tokensPerMinute();
    provider = new ProviderBucket(state.providerLevel(), state.providerAtMillis());
    state.holders().forEach(holder -> holders.put(holder.worker(), holder));
    Workflow.await(
        () ->
            updates >= UPDATES_PER_RUN
                || Workflow.getInfo().isContinueAsNewSuggested()
                || Workflow.getInfo().getHistoryLength() > 4 * UPDATES_PER_RUN);
    Workflow.await(Workflow::isEveryHandlerFinished);
    expire(Workflow.currentTimeMillis());
    log.info(
        "continuing as new after {} leases; {} processes hold leases", updates, holders.size());
    Workflow.continueAsNew(leases());
  }

  @Override
  public TokenLease lease(TokenLeaseRequest request) {
    long now = Workflow.currentTimeMillis();
    expire(now);
    if (tokensPerMinute != request.tokensPerMinute()) {
      log.info("tokens per minute {} -> {}", tokensPerMinute, request.tokensPerMinute());
      tokensPerMinute = request.tokensPerMinute();
    }
    provider.refill(tokensPerMinute, now);
    provider.take(request.used());
    Holder previous = holders.remove(request.worker());
    if (previous == null) {
      log.info("process {} joins; {} others hold leases", request.worker(), holders.size());
    }
    long granted = TokenShares.grant(tokensPerMinute, holders.values(), request.demand());
    long credit = provider.credit(tokensPerMinute, holders.values(), now, request.level(), granted);
    Long level = request.level() == null ? null : Math.min(granted, request.level() + credit);
    holders.put(
        request.worker(),
        new Holder(
            request.worker(), request.demand(), granted, now + VALID.toMillis(), level, now));
    updates++;
    return new TokenLease(
        granted, VALID.toMillis(), RENEW_AFTER.toMillis(), holders.size(), credit);
  }

  @Override
  public TokenBudgetState leases() {
    return new TokenBudgetState(
        tokensPerMinute, new ArrayList<>(holders.values()), provider.level(), provider.atMillis());
  }

  private void expire(long now) {
    holders.values().removeIf(holder -> holder.expiresAtMillis() <= now);
  }
}
