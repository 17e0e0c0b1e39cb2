package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A generated question.
 *
 * @param text the question
 * @param type its kind: {@code reasoning}, {@code text_reading}, {@code counting}, {@code layout}…
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Question(String text, String type) {}
