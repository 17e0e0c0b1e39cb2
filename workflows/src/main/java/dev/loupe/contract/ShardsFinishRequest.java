package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * Completes a sharded export once every shard is written: {@code export-skipped.jsonl}, the dataset
 * card ({@code README.md}) and the removal of shards an earlier, larger export left.
 *
 * @param output the dataset's output
 * @param formats the sharded formats written
 * @param plan the plan the shards followed
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ShardsFinishRequest(String output, List<String> formats, ShardPlan plan) {}
