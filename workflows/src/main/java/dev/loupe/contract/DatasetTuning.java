package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Knobs of {@code DatasetWorkflow} that workers set (workflow code reads no configuration). A run
 * records the values of the worker that started it and carries them across continue-as-new (see
 * {@link DatasetCarry#tuning()}), so a worker with other values replays and continues it unchanged.
 *
 * @param historyEventsBeforeContinue continue as new once history has this many events
 * @param pageSize source items listed per activity call
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DatasetTuning(int historyEventsBeforeContinue, int pageSize) {
  /** Well below Temporal's 50k-event warning, so a continue-as-new never races the limit. */
  public static final DatasetTuning DEFAULT = new DatasetTuning(10_000, 200);

  public DatasetTuning {
    if (historyEventsBeforeContinue < 100) {
      throw new IllegalArgumentException(
          "historyEventsBeforeContinue must be at least 100: " + historyEventsBeforeContinue);
    }
    if (pageSize < 1 || pageSize > 1000) {
      throw new IllegalArgumentException("pageSize must be within 1..1000: " + pageSize);
    }
  }
}
