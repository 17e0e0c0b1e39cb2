package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param endpoint the endpoint this call goes to
 * @param stage the fuse stage's settings
 * @param imageSha256 the image's hash, for template sampling
 * @param caption the model's caption
 * @param altText the source's alt text
 * @param lang prompt language
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FuseRequest(
    String endpoint,
    RunPlan.StagePlan stage,
    String imageSha256,
    String caption,
    String altText,
    String lang) {}
