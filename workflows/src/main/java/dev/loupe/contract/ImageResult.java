package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * How one image ended: what {@code ImageWorkflow} returns and the dataset counts.
 *
 * @param sha256 the image's identity
 * @param uri where it is
 * @param status accepted, rejected or failed
 * @param reason for rejected and failed images: the check or failure type, e.g. {@code refused}
 * @param detail a human-readable detail of the reason
 * @param qaAccepted accepted QA pairs
 * @param usage tokens and cost of all its calls
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageResult(
    String sha256,
    String uri,
    ImageStatus status,
    String reason,
    String detail,
    int qaAccepted,
    Usage usage) {}
