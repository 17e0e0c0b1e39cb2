package dev.loupe.provider.fake;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** What tests set and read on any fake provider batch API. */
public interface FakeBatches {
  /** What happens to one line. */
  sealed interface LineFate {
    /** The line fails with an HTTP error. */
    record Fails(int status, String message) implements LineFate {}

    /** The line expires unanswered. */
    record Expires() implements LineFate {}
  }

  /** Lines received in created batches, per custom ID (a line resubmitted counts again). */
  Map<String, Integer> linesReceived();

  int batchesCreated();

  /** Decides the fate of each line by custom ID; empty answers it normally. */
  void setLineRule(Function<String, Optional<LineFate>> rule);

  /** A batch stays in progress for this many polls before it ends (0: at the first). */
  void setPollsBeforeDone(int polls);

  /** The next batch created is rejected as invalid with this message. */
  void rejectNextBatch(String message);

  /** The next {@code count} batches are refused for the provider's enqueued-token limit. */
  void refuseNextBatchesForQuota(int count);
}
