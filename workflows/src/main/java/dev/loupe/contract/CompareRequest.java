package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * @param endpoint the endpoint this call goes to
 * @param stage the evaluate stage's settings (endpoint and model of the judge)
 * @param imageSha256 the image's hash, for template sampling
 * @param check the check asking ({@code multi_prompt_consistency}, …)
 * @param question the question
 * @param reference the primary answer
 * @param others the answers to compare with it
 * @param lang prompt language
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CompareRequest(
    String endpoint,
    RunPlan.StagePlan stage,
    String imageSha256,
    String check,
    String question,
    String reference,
    List<String> others,
    String lang) {}
