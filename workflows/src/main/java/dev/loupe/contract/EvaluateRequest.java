package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param image the probed image
 * @param endpoint the endpoint this call goes to
 * @param stage the evaluate stage's settings
 * @param caption the caption
 * @param question the question
 * @param answer the answer to judge
 * @param lang prompt language
 * @param ocr the image's OCR text, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record EvaluateRequest(
    ImageInfo image,
    String endpoint,
    RunPlan.StagePlan stage,
    String caption,
    Question question,
    String answer,
    String lang,
    String ocr) {}
