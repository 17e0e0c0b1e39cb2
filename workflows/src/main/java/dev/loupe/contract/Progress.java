package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What the {@code progress} query of {@code DatasetWorkflow} answers. An image being retried counts
 * as in flight, not as failed, so {@code done + inFlight} never exceeds {@code total}.
 *
 * @param state {@code planning}, {@code running}, {@code paused}, {@code draining}, {@code
 *     exporting}, {@code waiting} (for {@code retryFailed} or {@code finish}), {@code retrying},
 *     {@code completed}
 * @param total images listed so far (the final total once {@code listingDone})
 * @param listingDone whether the source has been read to its end (or to the limit)
 * @param done images that ended (accepted + rejected + failed)
 * @param accepted accepted images
 * @param rejected rejected images
 * @param failed failed images (not counting those being retried now)
 * @param inFlight images being processed now
 * @param qaAccepted accepted QA pairs
 * @param inputTokens provider-reported input tokens
 * @param outputTokens provider-reported output tokens
 * @param costUsd cost from the price table
 * @param continuedAsNew how many times the workflow continued as new
 * @param message a readable line on what is happening, e.g. why it stopped starting images
 * @param retryRound 0 before any {@code retryFailed}; the round being run or last run after
 * @param output where the outputs are written
 * @param waitingUntil while {@code waiting}: when the wait ends (ISO-8601, UTC); else null
 * @param batches the dataset's batch lanes as they last reported, one per endpoint; empty without
 *     batch-lane stages
 * @param weight the dataset's share of the pools against other datasets running at once (its
 *     fairness weight), or null where unknown
 * @param fairnessKey the key its tasks are dispatched fairly by (the dataset's workflow ID, cut to
 *     Temporal's 64 bytes), or null where unknown
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Progress(
    String state,
    long total,
    boolean listingDone,
    long done,
    long accepted,
    long rejected,
    long failed,
    int inFlight,
    long qaAccepted,
    long inputTokens,
    long outputTokens,
    double costUsd,
    int continuedAsNew,
    String message,
    int retryRound,
    String output,
    String waitingUntil,
    List<BatchProgress> batches,
    Double weight,
    String fairnessKey) {

  /** Progress without batch lanes. */
  public Progress(
      String state,
      long total,
      boolean listingDone,
      long done,
      long accepted,
      long rejected,
      long failed,
      int inFlight,
      long qaAccepted,
      long inputTokens,
      long outputTokens,
      double costUsd,
      int continuedAsNew,
      String message,
      int retryRound,
      String output,
      String waitingUntil) {
    this(
        state,
        total,
        listingDone,
        done,
        accepted,
        rejected,
        failed,
        inFlight,
        qaAccepted,
        inputTokens,
        outputTokens,
        costUsd,
        continuedAsNew,
        message,
        retryRound,
        output,
        waitingUntil,
        List.of(),
        null,
        null);
  }

  public List<BatchProgress> batchesOrEmpty() {
    return batches == null ? List.of() : batches;
  }

  public static final String WAITING = "waiting";
  public static final String COMPLETED = "completed";
}
