package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What {@code DatasetWorkflow} returns when it completes.
 *
 * @param output where the files are
 * @param counts final counts and usage
 * @param files the output files written, relative to {@code output}
 * @param message why the run stopped early, if it did (budget, cancellation), else empty
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DatasetResult(
    String output, Counts counts, java.util.List<String> files, String message) {}
