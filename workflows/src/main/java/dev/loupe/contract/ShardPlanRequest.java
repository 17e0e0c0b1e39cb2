package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * Plans the shards of an output whose {@code samples*.jsonl} an export has written.
 *
 * @param output the dataset's output
 * @param conversation {@code multi_turn} or {@code separate}, as for {@code sharegpt.jsonl}
 * @param formats the sharded formats to write ({@code webdataset}, {@code parquet})
 * @param options shard size and image encoding
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ShardPlanRequest(
    String output, String conversation, List<String> formats, ShardOptions options) {}
