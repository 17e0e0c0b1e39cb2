package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * Input of {@link BatchWorkflow}.
 *
 * @param datasetId the dataset whose lines it batches
 * @param endpoint the endpoint (and so the task queue its activities run on)
 * @param spool where the lines wait: the dataset's {@code <output>/.loupe/batch/}
 * @param settings when to send a batch
 * @param carry state carried over continue-as-new; null at the start
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchRun(
    String datasetId, String endpoint, String spool, BatchSettings settings, Carry carry) {

  /**
   * @param nextSeq the sequence number of the next batch
   * @param open batches submitted and not yet delivered
   * @param closing whether {@code close} was signalled
   * @param tuning the tuning the lane's first run recorded; null when carried by a build that did
   *     not record it
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Carry(
      int nextSeq,
      List<OpenBatch> open,
      long linesSubmitted,
      long linesDone,
      long linesFailed,
      boolean closing,
      BatchTuning tuning) {

    /** A carry without recorded tuning, as builds before it wrote them. */
    public Carry(
        int nextSeq,
        List<OpenBatch> open,
        long linesSubmitted,
        long linesDone,
        long linesFailed,
        boolean closing) {
      this(nextSeq, open, linesSubmitted, linesDone, linesFailed, closing, null);
    }
  }

  /**
   * A provider batch whose ID is recorded.
   *
   * @param seq its sequence number within the dataset and endpoint
   * @param batchId the provider's ID
   * @param lines lines it holds
   * @param submittedAtMillis workflow time of its (first) submission
   * @param round how often its lines were submitted: a batch refused for quota is submitted again
   *     under a new round
   * @param resubmitAtMillis when a batch refused for quota ({@code batchId} null) is submitted
   *     again
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record OpenBatch(
      int seq,
      String batchId,
      int lines,
      long submittedAtMillis,
      int round,
      long resubmitAtMillis) {

    public boolean awaitingResubmission() {
      return batchId == null;
    }
  }
}
