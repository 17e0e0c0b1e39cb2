package dev.loupe.cli;

import dev.loupe.contract.DatasetFairness;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.Progress;
import dev.loupe.contract.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts a {@code DatasetWorkflow} and follows it: progress while it runs, its result at the end.
 */
final class DatasetRunner {
  private final WorkflowClient client;

  DatasetRunner(WorkflowClient client) {
    this.client = client;
  }

  /** Starts the dataset; returns its workflow ID. */
  String start(String workflowId, DatasetRequest request) {
    DatasetWorkflow workflow =
        client.newWorkflowStub(
            DatasetWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .setPriority(DatasetFairness.of(workflowId, request))
                .build());
    WorkflowClient.start(workflow::run, request);
    return workflowId;
  }

  /** Waits for the dataset to end, showing progress; rethrows the workflow's failure. */
  DatasetResult follow(String workflowId, PrintStream err, boolean terminal)
      throws InterruptedException, ExecutionException {
    WorkflowStub stub = client.newUntypedWorkflowStub(workflowId);
    CompletableFuture<DatasetResult> result = stub.getResultAsync(DatasetResult.class);
    ProgressBar bar = new ProgressBar(err, terminal);
    Duration every = terminal ? Duration.ofMillis(500) : Duration.ofSeconds(5);
    while (true) {
      try {
        DatasetResult done = result.get(every.toMillis(), TimeUnit.MILLISECONDS);
        bar.finish();
        return done;
      } catch (TimeoutException stillRunning) {
        try {
          bar.show(stub.query("progress", Progress.class));
        } catch (RuntimeException queryFailed) {
          // The workflow may be between runs (continue-as-new) or its worker busy; try again.
        }
      }
    }
  }
}
