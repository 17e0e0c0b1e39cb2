package dev.loupe.contract;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One dataset run, on {@link TaskQueues#WORKFLOWS}, workflow type {@code DatasetWorkflow}. Pages
 * through the source, keeps a bounded window of {@link ImageWorkflow} children in flight, counts
 * outcomes, continues as new before its history grows large, and exports the outputs. When images
 * failed, it then waits (up to {@link DatasetRequest#failedWaitHours()}) for {@link #retryFailed()}
 * or {@link #finish()}.
 */
@WorkflowInterface
public interface DatasetWorkflow {
  String TYPE = "DatasetWorkflow";
  String RETRY_FAILED = "retryFailed";
  String FINISH = "finish";
  String IMAGE_DONE = "imageDone";

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

  /** A batch lane of this dataset reports its figures (sent by {@code BatchWorkflow}). */
  @SignalMethod(name = "batchProgress")
  void batchProgress(BatchProgress progress);

  /**
   * An image child reports how it ended (sent by {@code ImageWorkflow} at its end, for datasets
   * that keep their window full across continue-as-new). Counted only for an image in flight under
   * the same child ID and run token, and once: a repeated, late or forged signal is ignored.
   */
  @SignalMethod(name = IMAGE_DONE)
  void imageDone(ImageDone done);

  /**
   * Runs the failed images again (child IDs {@code <dataset>/<sha256>/retry-<n>}), merging their
   * results into the same output, then exports again. Accepted only while the run waits after an
   * export that left failed images.
   */
  @UpdateMethod(name = RETRY_FAILED)
  RetryFailedResult retryFailed();

  @UpdateValidatorMethod(updateName = RETRY_FAILED)
  void validateRetryFailed();

  /** Ends the wait for {@link #retryFailed()}: the run completes with its failed images. */
  @UpdateMethod(name = FINISH)
  Progress finish();

  @UpdateValidatorMethod(updateName = FINISH)
  void validateFinish();
}
