package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Input of {@code ImageWorkflow}: one image of one dataset.
 *
 * @param datasetId the {@code DatasetWorkflow}'s workflow ID
 * @param runToken identifies this run of the dataset (its first run ID): a record persisted under
 *     the same token is a duplicate within the run, one under another token a finished image that a
 *     restarted run reuses
 * @param output the dataset's output location
 * @param item the image by reference
 * @param plan the dataset's resolved plan
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageTask(
    String datasetId, String runToken, String output, SourceItem item, RunPlan plan) {}
