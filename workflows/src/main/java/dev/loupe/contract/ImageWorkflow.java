package dev.loupe.contract;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The lifecycle of one image: probe → describe → ask → answer → evaluate → persist, as the plan
 * says. Its workflow ID is derived from the dataset ID and the image's SHA-256 (see {@link
 * #workflowId(String, String)}), so a repeated start never doubles work. It never fails: every
 * image ends as an {@link ImageResult}.
 */
@WorkflowInterface
public interface ImageWorkflow {
  String TYPE = "ImageWorkflow";

  @WorkflowMethod(name = TYPE)
  ImageResult process(ImageTask task);

  static String workflowId(String datasetId, String sha256) {
    return datasetId + "/" + sha256;
  }
}
