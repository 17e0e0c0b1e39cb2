package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What {@code DatasetWorkflow} carries across continue-as-new: the plan, where it is, a cursor,
 * counters, at most one page of listed but not yet started items and the images in flight (at most
 * the window). Its size does not depend on the number of images: failed images are not carried,
 * they are records under the output, listed again from {@code failed.jsonl} in a retry round.
 *
 * @param plan the plan resolved at the start of the run, so later runs use the same recipe
 * @param runToken the dataset run's token (its first run ID)
 * @param cursor where the current listing goes on: the source's, or in a retry round the failed
 *     list's
 * @param listingDone whether the current listing has been read to its end
 * @param pending listed items not yet started (at most a page)
 * @param counts outcome counts so far
 * @param startedAtMillis when the first run of this dataset started
 * @param continuedAsNew how many times the workflow has continued as new
 * @param retryRound 0 while processing the source; n during the n-th {@code retryFailed} round
 * @param tuning the tuning the dataset's first run recorded; null when carried by a build that did
 *     not record it
 * @param inFlight the image children still running when the run continued as new (they were started
 *     with parent close policy ABANDON and report by {@link DatasetWorkflow#imageDone(ImageDone)});
 *     null when carried by a build that drained its window before continuing as new
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DatasetCarry(
    RunPlan plan,
    String runToken,
    String cursor,
    boolean listingDone,
    List<SourceItem> pending,
    Counts counts,
    long startedAtMillis,
    int continuedAsNew,
    int retryRound,
    DatasetTuning tuning,
    List<InFlightImage> inFlight,
    Boolean paused) {

  /** A carry without images in flight, as builds before {@code imageDone} wrote them. */
  public DatasetCarry(
      RunPlan plan,
      String runToken,
      String cursor,
      boolean listingDone,
      List<SourceItem> pending,
      Counts counts,
      long startedAtMillis,
      int continuedAsNew,
      int retryRound,
      DatasetTuning tuning) {
    this(
        plan,
        runToken,
        cursor,
        listingDone,
        pending,
        counts,
        startedAtMillis,
        continuedAsNew,
        retryRound,
        tuning,
        null,
        null);
  }

  /** A carry without recorded tuning, as builds before it wrote them. */
  public DatasetCarry(
      RunPlan plan,
      String runToken,
      String cursor,
      boolean listingDone,
      List<SourceItem> pending,
      Counts counts,
      long startedAtMillis,
      int continuedAsNew,
      int retryRound) {
    this(
        plan,
        runToken,
        cursor,
        listingDone,
        pending,
        counts,
        startedAtMillis,
        continuedAsNew,
        retryRound,
        null);
  }

  /** Whether the run was paused when it continued as new. */
  public boolean pausedOrFalse() {
    return Boolean.TRUE.equals(paused);
  }

  /** The carried images in flight; empty when none were carried. */
  public List<InFlightImage> inFlightOrEmpty() {
    return inFlight == null ? List.of() : inFlight;
  }

  /**
   * An image child running when the dataset continued as new.
   *
   * @param childId its workflow ID
   * @param item the image
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record InFlightImage(String childId, SourceItem item) {}
}
