package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param image the probed image
 * @param endpoint the endpoint this call goes to
 * @param stage the describe stage's settings
 * @param altText the source's alt text, if any
 * @param lang the prompt language ({@code en} or {@code zh}); {@code en} when null
 * @param ocr the image's OCR text, given to the model as quoted data, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DescribeRequest(
    ImageInfo image,
    String endpoint,
    RunPlan.StagePlan stage,
    String altText,
    String lang,
    String ocr) {}
