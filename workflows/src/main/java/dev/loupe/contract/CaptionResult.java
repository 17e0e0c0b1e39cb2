package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param text the caption
 * @param call the paid call that made it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CaptionResult(String text, ModelCall call) implements ModelCallResult {}
