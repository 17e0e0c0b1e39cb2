package dev.loupe.bench;

import dev.loupe.image.ContentHash;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.PendingActivityState;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.common.WorkflowExecutionHistory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What the Temporal server recorded: history lengths, and whether a secret is anywhere in it. */
public final class Histories {
  private Histories() {}

  /**
   * @param executions closed executions of the type
   * @param events their history events, summed
   */
  public record Totals(long executions, long events) {
    /** What was recorded since {@code earlier}. */
    public Totals minus(Totals earlier) {
      return new Totals(executions - earlier.executions, events - earlier.events);
    }

    public double eventsPerExecution() {
      return executions == 0 ? 0 : (double) events / executions;
    }
  }

  /** History lengths of every execution of a workflow type, continue-as-new runs included. */
  public static Totals of(WorkflowClient client, String workflowType) {
    return totals(client, "WorkflowType = '" + workflowType + "'");
  }

  /**
   * History lengths of the closed executions of a workflow type (continued-as-new runs included),
   * whose visibility records carry their final length.
   */
  public static Totals closed(WorkflowClient client, String workflowType) {
    return totals(client, "WorkflowType = '" + workflowType + "' AND ExecutionStatus != 'Running'");
  }

  private static Totals totals(WorkflowClient client, String query) {
    long executions = 0;
    long events = 0;
    for (WorkflowExecutionMetadata metadata : client.listExecutions(query).toList()) {
      executions++;
      events += metadata.getWorkflowExecutionInfo().getHistoryLength();
    }
    return new Totals(executions, events);
  }

  /**
   * Activities that a worker had started and not completed, over the given workflows: the calls in
   * flight as Temporal sees them (a call answered but not yet reported counts too).
   */
  public static int startedActivities(WorkflowClient client, List<String> workflowIds) {
    int started = 0;
    for (String workflowId : workflowIds) {
      DescribeWorkflowExecutionResponse description;
      try {
        description =
            client
                .getWorkflowServiceStubs()
                .blockingStub()
                .describeWorkflowExecution(
                    DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace(client.getOptions().getNamespace())
                        .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                        .build());
      } catch (StatusRuntimeException notStartedYet) {
        continue;
      }
      started +=
          (int)
              description.getPendingActivitiesList().stream()
                  .filter(a -> a.getState() == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED)
                  .count();
    }
    return started;
  }

  /** The image workflow IDs of a dataset over these image files: dataset ID / SHA-256. */
  public static List<String> imageWorkflowIds(String datasetId, Path images) throws IOException {
    List<String> ids = new ArrayList<>();
    try (Stream<Path> files = Files.list(images)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        if (!file.getFileName().toString().startsWith(".")) {
          ids.add(datasetId + "/" + ContentHash.sha256Hex(Files.readAllBytes(file)));
        }
      }
    }
    return ids;
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
