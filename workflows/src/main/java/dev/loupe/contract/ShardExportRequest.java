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
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ShardExportRequest(
    String output,
    String conversation,
    List<String> formats,
    ShardOptions options,
    ShardPlan plan,
    int nextTask) {

  public ShardExportRequest continuingAt(ShardPlan planned, int task) {
    return new ShardExportRequest(output, conversation, formats, options, planned, task);
  }
}
