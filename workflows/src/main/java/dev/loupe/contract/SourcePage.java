package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * A page of source items.
 *
 * @param items the images, in listing order
 * @param nextCursor where the next page starts
 * @param done whether the source has no more items
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SourcePage(List<SourceItem> items, String nextCursor, boolean done) {}
