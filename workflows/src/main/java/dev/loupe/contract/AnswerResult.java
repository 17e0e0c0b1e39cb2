package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param text the answer
 * @param call the paid call that made it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AnswerResult(String text, ModelCall call) implements ModelCallResult {}
