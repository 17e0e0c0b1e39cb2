package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param image the probed image
 * @param endpoint the endpoint this call goes to
 * @param stage the answer stage's settings
 * @param caption the caption, given as context (ALLaVA)
 * @param question the question to answer
 * @param lang prompt language
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AnswerRequest(
    ImageInfo image,
    String endpoint,
    RunPlan.StagePlan stage,
    String caption,
    Question question,
    String lang) {}
