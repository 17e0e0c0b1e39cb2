package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The plan of a sharded export, written under {@code <output>/.loupe/export/}: which samples go in
 * which shard is decided once, by order and size, so a retried or resumed export writes every
 * sample into the same one shard. Only the counts travel in history.
 *
 * @param shards shards per format
 * @param samples samples across all shards
 * @param captionShards shards that hold caption samples (the first ones of each kind are listed in
 *     the plan file)
 * @param qaShards shards that hold QA samples
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ShardPlan(int shards, long samples, int captionShards, int qaShards) {}
