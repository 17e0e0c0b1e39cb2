package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param image the probed image
 * @param endpoint the endpoint this call goes to
 * @param stage the ask stage's settings ({@code questions} of them)
 * @param caption the image's caption, as context
 * @param lang prompt language
 * @param ocr the image's OCR text, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AskRequest(
    ImageInfo image,
    String endpoint,
    RunPlan.StagePlan stage,
    String caption,
    String lang,
    String ocr) {}
