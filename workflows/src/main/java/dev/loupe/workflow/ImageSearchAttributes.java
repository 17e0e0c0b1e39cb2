package dev.loupe.workflow;

import dev.loupe.contract.ImageStatus;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import io.temporal.workflow.Workflow;
import java.util.Locale;

/**
 * The search attributes that let the Temporal UI list a dataset's image workflows by status ({@code
 * LoupeDataset="<dataset id>" AND LoupeStatus="failed"}). Both are Keyword attributes that must be
 * registered on the namespace (the README says how; the dev servers Loupe starts register them).
 * {@code DatasetWorkflow} sets both when it starts a child; the child upserts the status when it
 * ends.
 */
public final class ImageSearchAttributes {
  /** The dataset's workflow ID. */
  public static final SearchAttributeKey<String> DATASET =
      SearchAttributeKey.forKeyword("LoupeDataset");

  /** {@code running}, then {@code accepted}, {@code rejected} or {@code failed}. */
  public static final SearchAttributeKey<String> STATUS =
      SearchAttributeKey.forKeyword("LoupeStatus");

  public static final String RUNNING = "running";

  static final String CHANGE_ID = "loupe-status-search-attribute";

  private ImageSearchAttributes() {}

  /** What a child starts with: its dataset, and status {@code running}. */
  static SearchAttributes atStart(String datasetId) {
    return SearchAttributes.newBuilder().set(DATASET, datasetId).set(STATUS, RUNNING).build();
  }

  /**
   * Records how the current image workflow ended. Call it from {@code ImageWorkflow} right before
   * it returns. Does nothing for an image workflow started without {@link #DATASET} (started by
   * hand, or by a dataset run older than these attributes), so the namespace needs them registered
   * only where {@code DatasetWorkflow} set them. Versioned, so image workflows in flight when this
   * was deployed replay as they ran.
   */
  public static void markEnded(ImageStatus status) {
    if (!Workflow.getTypedSearchAttributes().containsKey(DATASET)) {
      return;
    }
    if (Workflow.getVersion(CHANGE_ID, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
      return;
    }
    Workflow.upsertTypedSearchAttributes(STATUS.valueSet(value(status)));
  }

  /**
   * {@link #markEnded(ImageStatus)} for an image workflow whose own patch marker already dates it
   * after this change (it started on a build with {@code ImageWorkflowImpl.LOCAL_STEPS}): no patch
   * marker of its own, one history event fewer.
   */
  static void markEndedSincePatched(ImageStatus status) {
    if (Workflow.getTypedSearchAttributes().containsKey(DATASET)) {
      Workflow.upsertTypedSearchAttributes(STATUS.valueSet(value(status)));
    }
  }

  /** The attribute's value for an outcome: {@code accepted}, {@code rejected}, {@code failed}. */
  public static String value(ImageStatus status) {
    return status.name().toLowerCase(Locale.ROOT);
  }
}
