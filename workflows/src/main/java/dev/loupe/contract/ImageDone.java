package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Payload of {@link DatasetWorkflow#imageDone(ImageDone)}: an {@link ImageWorkflow} child tells its
 * dataset how it ended. The dataset's workflow ID outlives continue-as-new, so a child started by
 * an earlier run of the dataset reaches the current one. The dataset counts it only for an image it
 * has in flight under the same child ID and run token, once.
 *
 * @param childId the sending child's workflow ID ({@code <dataset>/<sha256>}, {@code /retry-<n>} in
 *     a retry round)
 * @param runToken the dataset run's token the child was given in its {@link ImageTask}
 * @param result how the image ended, as the child also returns it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageDone(String childId, String runToken, ImageResult result) {}
