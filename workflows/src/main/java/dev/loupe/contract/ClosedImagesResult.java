package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * Result of {@link WorkflowsActivities#closedImages(ClosedImagesRequest)}: the closed ones among
 * the workflows asked about.
 *
 * @param closed one entry per closed (or unknown) workflow; running ones are not listed
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClosedImagesResult(List<Closed> closed) {

  /**
   * One closed image workflow.
   *
   * @param workflowId its workflow ID
   * @param status {@code completed}, {@code failed}, {@code terminated}, {@code timed_out}, {@code
   *     canceled}, {@code continued_as_new} or {@code not_found}
   * @param result its result when it completed, else null
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Closed(String workflowId, String status, ImageResult result) {
    public static final String COMPLETED = "completed";
    public static final String NOT_FOUND = "not_found";
  }
}
