package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What a sharded export wrote.
 *
 * @param files the card, the skipped list and each format's shard folder, relative to the output
 * @param shards shards per format
 * @param samples samples written per format
 * @param skipped samples left out per format, as listed in {@code export-skipped.jsonl}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ShardsResult(List<String> files, int shards, long samples, long skipped) {}
