package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Input of {@code ImageWorkflow}: one image of one dataset.
 *
 * @param datasetId the {@code DatasetWorkflow}'s workflow ID
 * @param output the dataset's output location
 * @param item the image by reference
 * @param plan the dataset's resolved plan
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageTask(String datasetId, String output, SourceItem item, RunPlan plan) {}
