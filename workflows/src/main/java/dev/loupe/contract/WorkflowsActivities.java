package dev.loupe.contract;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Activities about workflows themselves, on {@link TaskQueues#WORKFLOWS}: the workflows pool has a
 * Temporal client whatever else a deployment runs.
 */
@ActivityInterface(namePrefix = "Workflows")
public interface WorkflowsActivities {

  /**
   * Which of the given image workflows have closed, and how: a completed one with its result, any
   * other closed status (failed, terminated, timed out, cancelled, not found) without one. Running
   * ones are left out. Reads only; safe to retry.
   */
  @ActivityMethod
  ClosedImagesResult closedImages(ClosedImagesRequest request);
}
