package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * When an endpoint's batch lane sends a provider batch, resolved from the endpoint's {@code batch:}
 * settings (capped at the provider's limits) when the dataset starts.
 *
 * @param maxRequests a batch is sent once this many lines wait, and never holds more
 * @param maxBytes a batch is sent once its input file would reach this size, and never exceeds it
 * @param maxWaitSeconds a batch is sent once its oldest line has waited this long
 * @param pollSeconds how often open batches and the spool are looked at
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchSettings(int maxRequests, long maxBytes, int maxWaitSeconds, int pollSeconds) {
  public BatchSettings {
    if (maxRequests < 1 || maxBytes < 1 || maxWaitSeconds < 0 || pollSeconds < 1) {
      throw new IllegalArgumentException(
          "batch settings must be positive: maxRequests "
              + maxRequests
              + ", maxBytes "
              + maxBytes
              + ", maxWaitSeconds "
              + maxWaitSeconds
              + ", pollSeconds "
              + pollSeconds);
    }
  }
}
