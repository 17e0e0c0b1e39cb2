package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What the {@code retryFailed} update of {@code DatasetWorkflow} answers once it is accepted.
 *
 * @param round the retry round now starting (1 for the first)
 * @param images the failed images it will run again
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RetryFailedResult(int round, long images) {}
