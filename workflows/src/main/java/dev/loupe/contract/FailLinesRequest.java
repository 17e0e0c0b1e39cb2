package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param batch the batch whose lines fail; {@code seq} -1 for the lines still waiting
 * @param message why, e.g. the provider's words on a rejected batch
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FailLinesRequest(BatchRef batch, String message) {}
