package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * Input of {@link WorkflowsActivities#closedImages(ClosedImagesRequest)}.
 *
 * @param workflowIds the image workflows to look at (at most {@link #MAX_IDS})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClosedImagesRequest(List<String> workflowIds) {
  /** At most this many workflows per call: each is one describe call to the server. */
  public static final int MAX_IDS = 200;
}
