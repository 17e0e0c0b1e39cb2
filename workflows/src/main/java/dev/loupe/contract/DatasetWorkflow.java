package dev.loupe.contract;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One dataset run, on {@link TaskQueues#WORKFLOWS}, workflow type {@code DatasetWorkflow}. Pages
 * through the source, keeps a bounded window of {@link ImageWorkflow} children in flight, counts
 * outcomes, continues as new before its history grows large, and exports the outputs.
 */
@WorkflowInterface
public interface DatasetWorkflow {
  String TYPE = "DatasetWorkflow";

  @WorkflowMethod(name = TYPE)
  DatasetResult run(DatasetRequest request);

  /** Counts, tokens and cost so far. */
  @QueryMethod(name = "progress")
  Progress progress();

  /** Stop starting new images; those in flight finish. */
  @SignalMethod(name = "pause")
  void pause();

  /** Start new images again after {@link #pause()}. */
  @SignalMethod(name = "resume")
  void resume();
}
