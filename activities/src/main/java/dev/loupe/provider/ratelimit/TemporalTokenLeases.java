package dev.loupe.provider.ratelimit;

import dev.loupe.contract.TaskQueues;
import dev.loupe.contract.TokenBudgetState;
import dev.loupe.contract.TokenBudgetWorkflow;
import dev.loupe.contract.TokenLease;
import dev.loupe.contract.TokenLeaseRequest;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowOptions;
import java.util.Objects;

/**
 * Leases through an endpoint's {@link TokenBudgetWorkflow}: an update on its fixed workflow ID. The
 * workflow is started when the first lease finds none running (and again if it was terminated); the
 * start is idempotent, so processes that start it together get the same run.
 */
public final class TemporalTokenLeases implements TokenLeases {
  private final WorkflowClient client;
  private final String workflowId;

  public TemporalTokenLeases(WorkflowClient client, String endpoint) {
    this.client = Objects.requireNonNull(client, "client");
    this.workflowId = TokenBudgetWorkflow.workflowId(endpoint);
  }

  @Override
  public TokenLease lease(TokenLeaseRequest request) {
    try {
      return stub().lease(request);
    } catch (WorkflowException e) {
      // Not started yet, terminated, or between runs: start it (a no-op if one runs) and ask again.
      start();
      return stub().lease(request);
    }
  }

  private TokenBudgetWorkflow stub() {
    return client.newWorkflowStub(TokenBudgetWorkflow.class, workflowId);
  }

  private void start() {
    TokenBudgetWorkflow budget =
        client.newWorkflowStub(
            TokenBudgetWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .setWorkflowIdConflictPolicy(
                    WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
                .build());
    WorkflowClient.start(budget::run, TokenBudgetState.EMPTY);
  }
}
