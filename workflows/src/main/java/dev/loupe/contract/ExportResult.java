package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * @param files the files written, relative to the output
 * @param counts counts recomputed from the persisted records
 * @param failedSample the first few failed images (at most {@link #FAILED_SAMPLE}), for the
 *     workflow's details in the UI; all of them are in {@code failed*.jsonl}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExportResult(List<String> files, Counts counts, List<FailedImage> failedSample) {
  public static final int FAILED_SAMPLE = 5;

  public ExportResult(List<String> files, Counts counts) {
    this(files, counts, List.of());
  }

  public List<FailedImage> failedSampleOrEmpty() {
    return failedSample == null ? List.of() : failedSample;
  }
}
