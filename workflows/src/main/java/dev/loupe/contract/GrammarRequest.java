package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param endpoint the endpoint this call goes to
 * @param stage the evaluate stage's settings
 * @param imageSha256 the image's hash, for template sampling
 * @param question the question
 * @param answer the answer
 * @param lang prompt language
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GrammarRequest(
    String endpoint,
    RunPlan.StagePlan stage,
    String imageSha256,
    String question,
    String answer,
    String lang) {}
