package dev.loupe.contract;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The tokens-per-minute budget of one model endpoint, shared by every API worker process that calls
 * it (workflow type {@code TokenBudgetWorkflow}, on {@link TaskQueues#WORKFLOWS}, ID {@link
 * #workflowId}). Each process leases a share every few seconds through the {@link #LEASE} update
 * and spends it locally; the shares of the processes heard from within a lease's lifetime never add
 * up to more than the limit, a busy process can have all of it, and the share of a process that
 * stops asking (killed, stopped) comes free when its lease runs out. Started by the first API
 * worker that needs it; runs until terminated, continuing as new to keep its history short. Holds
 * no secrets: worker identities, token counts and times.
 */
@WorkflowInterface
public interface TokenBudgetWorkflow {

  /** The update name through which API workers lease their share. */
  String LEASE = "lease";

  /** The query name that shows the leases held. */
  String LEASES = "leases";

  /**
   * @param state the leases carried over from the previous run; {@link TokenBudgetState#EMPTY} at
   *     the first start
   */
  @WorkflowMethod
  void run(TokenBudgetState state);

  /** Grants the asking process its share for the next lease period; never blocks. */
  @UpdateMethod(name = LEASE)
  TokenLease lease(TokenLeaseRequest request);

  /** The limit and the leases held now. */
  @QueryMethod(name = LEASES)
  TokenBudgetState leases();

  /** The fixed ID of an endpoint's budget: one per endpoint name per namespace. */
  static String workflowId(String endpoint) {
    return "loupe-token-budget/" + endpoint;
  }
}
