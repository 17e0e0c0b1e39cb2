package dev.loupe.provider;

/**
 * A successful model call.
 *
 * @param text the output text (for structured calls: the JSON text)
 * @param model the model the provider reports having used
 * @param inputTokens all input tokens from the response's usage block, cached ones included
 * @param outputTokens from the response's usage block (thinking tokens included)
 * @param cachedInputTokens the part of {@code inputTokens} read from the provider's prompt cache
 * @param cacheWriteTokens the part of {@code inputTokens} written to the prompt cache (Anthropic
 *     {@code cache_creation_input_tokens}; 0 elsewhere)
 * @param latencyMillis wall time of the HTTP exchange
 */
public record ModelResponse(
    String text,
    String model,
    long inputTokens,
    long outputTokens,
    long cachedInputTokens,
    long cacheWriteTokens,
    long latencyMillis) {

  /** An answer without prompt-cache counts. */
  public ModelResponse(
      String text, String model, long inputTokens, long outputTokens, long latencyMillis) {
    this(text, model, inputTokens, outputTokens, 0, 0, latencyMillis);
  }
}
