package dev.loupe.provider;

/**
 * A successful model call.
 *
 * @param text the output text (for structured calls: the JSON text)
 * @param model the model the provider reports having used
 * @param inputTokens from the response's usage block
 * @param outputTokens from the response's usage block
 * @param latencyMillis wall time of the HTTP exchange
 */
public record ModelResponse(
    String text, String model, long inputTokens, long outputTokens, long latencyMillis) {}
