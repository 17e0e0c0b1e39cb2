package dev.loupe.contract;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The batch lane of one dataset on one endpoint (workflow type {@code BatchWorkflow}, on {@link
 * TaskQueues#WORKFLOWS}): gathers the batch lines that image workflows' model calls leave in the
 * spool into provider batches, records each batch's ID before waiting on it, polls it, and delivers
 * each line's result to the model call that waits for it. Started by {@code DatasetWorkflow} with
 * the ID {@link #workflowId}; cancelling it cancels its open provider batches.
 */
@WorkflowInterface
public interface BatchWorkflow {

  String BATCHES = "batches";

  @WorkflowMethod
  BatchProgress run(BatchRun run);

  /** No more lines will come (the dataset's round is over): end once the open batches ended. */
  @SignalMethod
  void close();

  /** Batches open, lines submitted / done / failed, the oldest open batch's age. */
  @QueryMethod(name = BATCHES)
  BatchProgress batches();

  /** The fixed ID of a dataset's batch workflow for one endpoint. */
  static String workflowId(String datasetId, String endpoint) {
    return datasetId + "/batch/" + endpoint;
  }
}
