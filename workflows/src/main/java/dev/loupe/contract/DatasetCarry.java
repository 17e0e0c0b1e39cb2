package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What {@code DatasetWorkflow} carries across continue-as-new: a cursor, counters and the plan. Its
 * size does not depend on the number of images.
 *
 * @param plan the plan resolved at the start of the run, so later runs use the same recipe
 * @param cursor where the source listing goes on
 * @param counts outcome counts so far
 * @param startedAtMillis when the first run of this dataset started
 * @param continuedAsNew how many times the workflow has continued as new
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DatasetCarry(
    RunPlan plan, String cursor, Counts counts, long startedAtMillis, int continuedAsNew) {}
