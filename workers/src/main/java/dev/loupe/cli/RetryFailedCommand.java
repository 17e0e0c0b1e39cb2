package dev.loupe.cli;

import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.RetryFailedResult;
import dev.loupe.embedded.RemoteTemporal;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Sends {@code retryFailed} to a dataset that waits after an export with failed images. */
@Command(
    name = "retry-failed",
    mixinStandardHelpOptions = true,
    description = "Run a dataset's failed images again, merging the results into the same output.")
final class RetryFailedCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "WORKFLOW_ID")
  String workflowId;

  @Mixin CommonOptions common;

  @Override
  public Integer call() throws Exception {
    LoupeConfig config = common.load();
    try (RemoteTemporal temporal = RemoteTemporal.connect(config.temporal(), System.getenv())) {
      WorkflowStub stub = temporal.client().newUntypedWorkflowStub(workflowId);
      WorkflowExecutionStatus status;
      try {
        status = stub.describe().getStatus();
      } catch (WorkflowNotFoundException missing) {
        throw new UserError("no workflow " + workflowId + " in this namespace");
      }
      if (status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        throw new UserError(
            workflowId
                + " has ended; start the dataset again into the same output to run its failed"
                + " images (images finished there are reused, not redone)");
      }
      RetryFailedResult started;
      try {
        started = stub.update(DatasetWorkflow.RETRY_FAILED, RetryFailedResult.class);
      } catch (WorkflowUpdateException rejected) {
        throw new UserError("cannot retry now: " + Summary.rootMessage(rejected));
      }
      System.out.printf(
          "retry round %d of %s: running %d failed images again%n",
          started.round(), workflowId, started.images());
      String link = temporal.workflowLink(workflowId);
      if (link != null) {
        System.err.println("loupe: follow it with `loupe status " + workflowId + "` or " + link);
      }
    }
    return 0;
  }
}
