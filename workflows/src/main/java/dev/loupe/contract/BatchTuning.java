package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Knobs of {@code BatchWorkflow} that decide when its activities run. A run records the values it
 * started with and carries them in {@link BatchRun.Carry#tuning()}.
 *
 * @param historyEventsBeforeContinue continue as new once history has this many events
 * @param keepAliveEverySeconds how often the calls waiting in batches are heartbeated
 * @param quotaWaitPolls a batch refused for quota is submitted again after this many poll intervals
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchTuning(
    int historyEventsBeforeContinue, int keepAliveEverySeconds, int quotaWaitPolls) {
  /** Keep-alive every 10 min, well inside the batch-line calls' 1 h heartbeat timeout. */
  public static final BatchTuning DEFAULT = new BatchTuning(10_000, 600, 10);

  public BatchTuning {
    if (historyEventsBeforeContinue < 100 || keepAliveEverySeconds < 1 || quotaWaitPolls < 1) {
      throw new IllegalArgumentException(
          "batch tuning out of range: historyEventsBeforeContinue "
              + historyEventsBeforeContinue
              + ", keepAliveEverySeconds "
              + keepAliveEverySeconds
              + ", quotaWaitPolls "
              + quotaWaitPolls);
    }
  }
}
