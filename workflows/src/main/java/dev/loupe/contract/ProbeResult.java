package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param image what the probe learned
 * @param persisted the result already persisted under the output for this image by an earlier run,
 *     or null; when it was persisted by this same run, the probe returns a {@code duplicate}
 *     rejection here instead
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ProbeResult(ImageInfo image, ImageResult persisted) {}
