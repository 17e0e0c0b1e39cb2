package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * The input of {@link ShardExportWorkflow}.
 *
 * @param output the dataset's output, whose {@code samples*.jsonl} the export has written
 * @param conversation {@code multi_turn} or {@code separate}
 * @param formats the sharded formats to write
 * @param options shard size and image encoding
 * @param plan carried over continue-as-new: the plan made by the first run; null at the start
 * @param nextTask carried over continue-as-new: the first (format, shard) task not yet written
 * @param tuning carried over continue-as-new: the tuning the first run recorded; null at the start
 *     and when carried by a build that did not record it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ShardExportRequest(
    String output,
    String conversation,
    List<String> formats,
    ShardOptions options,
    ShardPlan plan,
    int nextTask,
    ShardTuning tuning) {

  /** A request without recorded tuning: a first run's. */
  public ShardExportRequest(
      String output,
      String conversation,
      List<String> formats,
      ShardOptions options,
      ShardPlan plan,
      int nextTask) {
    this(output, conversation, formats, options, plan, nextTask, null);
  }

  public ShardExportRequest continuingAt(ShardPlan planned, int task, ShardTuning fixed) {
    return new ShardExportRequest(output, conversation, formats, options, planned, task, fixed);
  }
}
