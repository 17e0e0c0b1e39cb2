package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One page of a source listing.
 *
 * @param source the dataset's source
 * @param cursor where the previous page ended; null for the first page
 * @param pageSize at most this many items
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ListSourceRequest(String source, String cursor, int pageSize) {}
