package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One page of the failed images of a dataset's output, as the last export listed them in {@code
 * failed.jsonl} (or its shards). Images whose record is no longer failed are skipped.
 *
 * @param output the dataset's output
 * @param cursor where the previous page ended; null for the first page
 * @param pageSize at most this many items
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ListFailedRequest(String output, String cursor, int pageSize) {}
