package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A batch of one endpoint's spool; {@code seq} and {@code batchId} where the method needs them.
 *
 * @param endpoint configured endpoint name
 * @param spool the dataset's {@code <output>/.loupe/batch/}
 * @param seq the batch's sequence number, or -1
 * @param batchId the provider's batch ID, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchRef(String endpoint, String spool, int seq, String batchId) {
  public static BatchRef spool(String endpoint, String spool) {
    return new BatchRef(endpoint, spool, -1, null);
  }
}
