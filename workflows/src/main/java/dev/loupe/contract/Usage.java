package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Tokens as the provider's {@code usage} block reported them, their cost from the price table, and
 * what caching and cheaper lanes saved. Sums of calls add field by field.
 *
 * @param inputTokens all input tokens, prompt-cached ones included
 * @param outputTokens output tokens
 * @param costUsd what was paid
 * @param cachedInputTokens the part of {@code inputTokens} read from the provider's prompt cache
 * @param cachedCalls calls answered from Loupe's response cache (not sent, cost 0)
 * @param savedUsd the online price of the same tokens without any cache, minus {@code costUsd}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Usage(
    long inputTokens,
    long outputTokens,
    double costUsd,
    long cachedInputTokens,
    long cachedCalls,
    double savedUsd) {
  public static final Usage ZERO = new Usage(0, 0, 0);

  /** Paid online usage without caches. */
  public Usage(long inputTokens, long outputTokens, double costUsd) {
    this(inputTokens, outputTokens, costUsd, 0, 0, 0);
  }

  public Usage plus(Usage other) {
    if (other == null) {
      return this;
    }
    return new Usage(
        inputTokens + other.inputTokens(),
        outputTokens + other.outputTokens(),
        costUsd + other.costUsd(),
        cachedInputTokens + other.cachedInputTokens(),
        cachedCalls + other.cachedCalls(),
        savedUsd + other.savedUsd());
  }
}
