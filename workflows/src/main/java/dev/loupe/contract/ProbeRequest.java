package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param item the image
 * @param output the dataset's output, checked for an already persisted record
 * @param minShortSide reject images whose short side is smaller
 * @param maxPixels reject images with more pixels, from the header, before decoding
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ProbeRequest(SourceItem item, String output, int minShortSide, long maxPixels) {}
