package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param image what the probe learned
 * @param persisted the result already persisted under the output for this image, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ProbeResult(ImageInfo image, ImageResult persisted) {}
