package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Writes one shard of a planned export, whole: a retry rewrites it from the start and replaces it.
 *
 * @param output the dataset's output
 * @param format {@code webdataset} or {@code parquet}
 * @param index the shard's number in the plan
 * @param options image encoding
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ShardRequest(String output, String format, int index, ShardOptions options) {}
