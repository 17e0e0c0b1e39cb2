package dev.loupe.contract;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * An image's cheap local steps, run as local activities by the workflows pool inside the image's
 * workflow tasks: each is one marker in the image's history instead of an activity's six events
 * (schedule, start, complete and a workflow task). Both are idempotent (outputs keyed by image
 * hash), so a step that runs again after a worker died before its marker was recorded is harmless.
 */
@ActivityInterface(namePrefix = "Image")
public interface ImageStepActivities {

  /** {@link CpuActivities#probe(ProbeRequest)}, on the workflows pool. */
  @ActivityMethod
  ProbeResult probe(ProbeRequest request);

  /**
   * Writes the image's record ({@link CpuActivities#persist(PersistRequest)}) and, when asked,
   * tells the image's dataset how it ended by the signal {@link DatasetWorkflow#IMAGE_DONE}, sent
   * with the workflows pool's client (a dataset that has closed is logged and skipped). The dataset
   * counts a repeated report once.
   */
  @ActivityMethod
  ImageResult persist(PersistStep request);
}
