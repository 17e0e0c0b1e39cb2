package dev.loupe.activity;

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

/** {@link WorkflowsActivities} through the workflows pool's own Temporal client. */
public final class WorkflowsActivitiesImpl implements WorkflowsActivities {
  private static final String STATUS_PREFIX = "WORKFLOW_EXECUTION_STATUS_";

  private final WorkflowClient client;

  public WorkflowsActivitiesImpl(WorkflowClient client) {
    this.client = client;
  }

  @Override
  public ClosedImagesResult closedImages(ClosedImagesRequest request) {
    List<String> ids = request.workflowIds() == null ? List.of() : request.workflowIds();
    if (ids.size() > ClosedImagesRequest.MAX_IDS) {
      ids = ids.subList(0, ClosedImagesRequest.MAX_IDS);
    }
    List<Closed> closed = new ArrayList<>();
    for (String id : ids) {
      WorkflowStub stub = client.newUntypedWorkflowStub(id);
      WorkflowExecutionStatus status;
      try {
        status = stub.describe().getStatus();
      } catch (WorkflowNotFoundException gone) {
        closed.add(new Closed(id, Closed.NOT_FOUND, null));
        continue;
      }
      switch (status) {
        case WORKFLOW_EXECUTION_STATUS_RUNNING, WORKFLOW_EXECUTION_STATUS_UNSPECIFIED -> {}
        case WORKFLOW_EXECUTION_STATUS_COMPLETED ->
            closed.add(new Closed(id, Closed.COMPLETED, stub.getResult(ImageResult.class)));
        default -> closed.add(new Closed(id, name(status), null));
      }
    }
    return new ClosedImagesResult(closed);
  }

  /** {@code WORKFLOW_EXECUTION_STATUS_TIMED_OUT} → {@code timed_out}. */
  static String name(WorkflowExecutionStatus status) {
    String name = status.name();
    if (name.startsWith(STATUS_PREFIX)) {
      name = name.substring(STATUS_PREFIX.length());
    }
    return name.toLowerCase(Locale.ROOT);
  }
}
