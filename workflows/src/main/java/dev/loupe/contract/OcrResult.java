package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param text the recognised text, lines kept, empty when the image has none
 * @param languages the languages used
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OcrResult(String text, String languages) {}
