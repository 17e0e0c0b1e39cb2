package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Input of {@code ImageWorkflow}: one image of one dataset.
 *
 * @param datasetId the {@code DatasetWorkflow}'s workflow ID
 * @param runToken identifies this run of the dataset (its first run ID): a record persisted under
 *     the same token is a duplicate within the run, one under another token a finished image that a
 *     restarted run reuses
 * @param output the dataset's output location
 * @param item the image by reference
 * @param plan the dataset's resolved plan
 * @param signalsDone whether the image, when it ends, also signals {@link
 *     DatasetWorkflow#imageDone(ImageDone)} to {@code datasetId}: true when the dataset keeps its
 *     children in flight across continue-as-new (the run that started a child may have continued as
 *     new before it ends); null or false for datasets started before that (they wait for each
 *     child's completion)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageTask(
    String datasetId,
    String runToken,
    String output,
    SourceItem item,
    RunPlan plan,
    Boolean signalsDone) {

  /** A task whose image reports only by completing, as builds before {@code imageDone} made. */
  public ImageTask(
      String datasetId, String runToken, String output, SourceItem item, RunPlan plan) {
    this(datasetId, runToken, output, item, plan, null);
  }

  /** Whether the image signals {@code imageDone} to its dataset when it ends. */
  public boolean signalsDoneOrFalse() {
    return Boolean.TRUE.equals(signalsDone);
  }
}
