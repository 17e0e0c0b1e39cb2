package dev.loupe.bench;

import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.common.WorkflowExecutionHistory;
import java.util.ArrayList;
import java.util.List;

/** What the Temporal server recorded: history lengths, and whether a secret is anywhere in it. */
public final class Histories {
  private Histories() {}

  /**
   * @param executions closed executions of the type
   * @param events their history events, summed
   */
  public record Totals(long executions, long events) {
    public double eventsPerExecution() {
      return executions == 0 ? 0 : (double) events / executions;
    }
  }

  /** History lengths of every execution of a workflow type, continue-as-new runs included. */
  public static Totals of(WorkflowClient client, String workflowType) {
    long executions = 0;
    long events = 0;
    for (WorkflowExecutionMetadata metadata :
        client.listExecutions("WorkflowType = '" + workflowType + "'").toList()) {
      WorkflowExecutionInfo info = metadata.getWorkflowExecutionInfo();
      executions++;
      events += info.getHistoryLength();
    }
    return new Totals(executions, events);
  }

  /** IDs of executions whose history (as JSON) contains {@code secret}. */
  public static List<String> containing(WorkflowClient client, String secret) {
    List<String> found = new ArrayList<>();
    for (WorkflowExecutionMetadata metadata : client.listExecutions("").toList()) {
      WorkflowExecutionHistory history =
          client.fetchHistory(
              metadata.getExecution().getWorkflowId(), metadata.getExecution().getRunId());
      if (history.toJson(false).contains(secret)) {
        found.add(metadata.getExecution().getWorkflowId());
      }
    }
    return found;
  }
}
