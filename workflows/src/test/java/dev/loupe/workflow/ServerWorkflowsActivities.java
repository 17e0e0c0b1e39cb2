package dev.loupe.workflow;

import dev.loupe.contract.ClosedImagesRequest;
import dev.loupe.contract.ClosedImagesResult;
import dev.loupe.contract.ClosedImagesResult.Closed;
import dev.loupe.contract.ImageResult;
import dev.loupe.contract.WorkflowsActivities;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link WorkflowsActivities} against the in-memory server, as the workers' implementation (in
 * {@code activities/}, which this module cannot see) does against a real one; counts its calls.
 */
final class ServerWorkflowsActivities implements WorkflowsActivities {
  private final WorkflowClient client;
  final AtomicInteger calls = new AtomicInteger();

  ServerWorkflowsActivities(WorkflowClient client) {
    this.client = client;
  }

  @Override
  public ClosedImagesResult closedImages(ClosedImagesRequest request) {
    calls.incrementAndGet();
    List<Closed> closed = new ArrayList<>();
    for (String id : request.workflowIds()) {
      WorkflowStub stub = client.newUntypedWorkflowStub(id);
      WorkflowExecutionStatus status;
      try {
        status = stub.describe().getStatus();
      } catch (WorkflowNotFoundException gone) {
        closed.add(new Closed(id, Closed.NOT_FOUND, null));
        continue;
      }
      if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
        closed.add(new Closed(id, Closed.COMPLETED, stub.getResult(ImageResult.class)));
      } else if (status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        String name = status.name().substring("WORKFLOW_EXECUTION_STATUS_".length());
        closed.add(new Closed(id, name.toLowerCase(Locale.ROOT), null));
      }
    }
    return new ClosedImagesResult(closed);
  }
}
