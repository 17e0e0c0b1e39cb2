package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param image the probed image
 * @param endpoint the endpoint this call goes to
 * @param stage the reason stage's settings
 * @param caption the caption
 * @param ocr the OCR text, or null
 * @param question the question
 * @param answer the answer to explain
 * @param lang prompt language
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReasonRequest(
    ImageInfo image,
    String endpoint,
    RunPlan.StagePlan stage,
    String caption,
    String ocr,
    Question question,
    String answer,
    String lang) {}
