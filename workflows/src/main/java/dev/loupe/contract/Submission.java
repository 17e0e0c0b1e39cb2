package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What submitting a sealed batch did.
 *
 * @param batchId the provider's batch ID, or null when no line waited or the provider refused it
 * @param lines lines in the batch
 * @param refused when the provider refused to create the batch: {@link
 *     BatchPoll.State#QUOTA_REFUSED} (submitted again later) or {@link BatchPoll.State#REJECTED}
 *     (its lines fail); else null
 * @param message the provider's words for a refusal
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Submission(String batchId, int lines, BatchPoll.State refused, String message) {

  /** A created batch, or nothing to submit when {@code batchId} is null. */
  public Submission(String batchId, int lines) {
    this(batchId, lines, null, null);
  }

  /** The provider refused to create a batch of {@code lines} lines. */
  public static Submission refused(int lines, BatchPoll.State as, String message) {
    return new Submission(null, lines, as, message);
  }

  public boolean submitted() {
    return batchId != null;
  }

  public boolean wasRefused() {
    return refused != null;
  }
}
