package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param batchId the provider's batch ID, or null when no line waited
 * @param lines lines in the batch
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Submission(String batchId, int lines) {
  public boolean submitted() {
    return batchId != null;
  }
}
