package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param file the shard written, relative to the output
 * @param samples samples written into it
 * @param skipped samples left out (image gone or changed), listed in {@code export-skipped.jsonl}
 * @param bytes the shard's size
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ShardResult(String file, long samples, long skipped, long bytes) {}
