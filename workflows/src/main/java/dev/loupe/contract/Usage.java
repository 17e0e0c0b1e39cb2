package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Tokens as the provider's {@code usage} block reported them, and their cost from the price table.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Usage(long inputTokens, long outputTokens, double costUsd) {
  public static final Usage ZERO = new Usage(0, 0, 0);

  public Usage plus(Usage other) {
    if (other == null) {
      return this;
    }
    return new Usage(
        inputTokens + other.inputTokens(),
        outputTokens + other.outputTokens(),
        costUsd + other.costUsd());
  }
}
