package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param output the dataset's output
 * @param datasetId the dataset's workflow ID
 * @param request the request as the user gave it (without carried state)
 * @param plan the resolved plan
 * @param startedAtMillis when the dataset started
 * @param finishedAtMillis when processing ended
 * @param status {@code completed}, {@code cancelled}, {@code budget_exhausted}…
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExportRequest(
    String output,
    String datasetId,
    DatasetRequest request,
    RunPlan plan,
    long startedAtMillis,
    long finishedAtMillis,
    String status) {}
