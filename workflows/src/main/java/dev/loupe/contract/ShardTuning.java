package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Knobs of {@code ShardExportWorkflow}: how many shards it writes at once and how many tasks a run
 * starts before it continues as new. A run records the values it started with and carries them in
 * {@link ShardExportRequest#tuning()}.
 *
 * @param parallel shards written at once
 * @param tasksBeforeContinue (format, shard) tasks a run starts before continuing as new
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ShardTuning(int parallel, int tasksBeforeContinue) {
  /** Enough to keep a few CPU workers busy; about 4 history events per task, well below 10k. */
  public static final ShardTuning DEFAULT = new ShardTuning(16, 1000);

  public ShardTuning {
    if (parallel < 1 || tasksBeforeContinue < 1) {
      throw new IllegalArgumentException(
          "shard tuning must be positive: parallel "
              + parallel
              + ", tasksBeforeContinue "
              + tasksBeforeContinue);
    }
  }
}
