package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What {@link BatchWorkflow} shows: its state, provider batches open, lines waiting in the spool,
 * lines submitted (each line counted once per batch it went into), done and failed, and the age of
 * the oldest open batch.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchProgress(
    String endpoint,
    String state,
    int batchesOpen,
    int linesWaiting,
    long linesSubmitted,
    long linesDone,
    long linesFailed,
    long oldestBatchAgeSeconds) {}
