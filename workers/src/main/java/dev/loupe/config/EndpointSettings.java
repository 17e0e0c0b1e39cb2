package dev.loupe.config;

import java.util.Objects;

/**
 * One model endpoint, as configured. The API key is never here: only the name of the environment
 * variable that holds it, read by the worker that calls the endpoint.
 *
 * @param provider {@code openai} or {@code openai-compatible} (vLLM, SGLang, Ollama…)
 * @param baseUrl API base URL, e.g. {@code https://api.openai.com/v1}
 * @param apiKeyEnv environment variable holding the key; none for keyless local servers
 * @param model default model for stages that name none
 * @param timeoutSeconds HTTP call timeout, shorter than the activity's five minutes
 * @param maxConcurrency concurrent calls per worker on this endpoint
 * @param imageMaxLongSide images are downsized so their long side fits
 */
public record EndpointSettings(
    String provider,
    String baseUrl,
    String apiKeyEnv,
    String model,
    Integer timeoutSeconds,
    Integer maxConcurrency,
    Integer imageMaxLongSide) {

  public static final String OPENAI = "openai";
  public static final String OPENAI_COMPATIBLE = "openai-compatible";

  public EndpointSettings {
    Objects.requireNonNull(provider, "endpoint provider");
    if (!provider.equals(OPENAI) && !provider.equals(OPENAI_COMPATIBLE)) {
      throw new IllegalArgumentException(
          "endpoint provider must be 'openai' or 'openai-compatible', got '" + provider + "'");
    }
    Objects.requireNonNull(baseUrl, "endpoint baseUrl");
    if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
      throw new IllegalArgumentException("endpoint baseUrl must be an http(s) URL: " + baseUrl);
    }
    Objects.requireNonNull(model, "endpoint model");
    timeoutSeconds = timeoutSeconds == null ? 120 : timeoutSeconds;
    if (timeoutSeconds < 1 || timeoutSeconds > 280) {
      throw new IllegalArgumentException(
          "timeoutSeconds must be within 1..280 (the activity allows 300): " + timeoutSeconds);
    }
    maxConcurrency = maxConcurrency == null ? 32 : maxConcurrency;
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException("maxConcurrency must be positive: " + maxConcurrency);
    }
    imageMaxLongSide = imageMaxLongSide == null ? 2048 : imageMaxLongSide;
  }
}
