package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One failed image, briefly: what the UI shows of it. Messages are cut to a line.
 *
 * @param sha256 the image's identity
 * @param uri where it is
 * @param failureType the failure type, e.g. {@code transport}
 * @param message the failure's message
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FailedImage(String sha256, String uri, String failureType, String message) {}
