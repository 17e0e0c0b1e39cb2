package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * ALLaVA's single call: a caption, a question and its answer.
 *
 * @param caption the caption
 * @param question the question
 * @param answer the answer
 * @param call the paid call
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CombinedResult(String caption, Question question, String answer, ModelCall call)
    implements ModelCallResult {}
