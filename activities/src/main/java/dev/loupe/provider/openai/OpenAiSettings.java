package dev.loupe.provider.openai;

import dev.loupe.provider.Secret;
import java.time.Duration;
import java.util.Objects;
import okhttp3.HttpUrl;

/**
 * Where and how {@link OpenAiClient} calls a Chat Completions endpoint.
 *
 * @param baseUrl the API root, e.g. {@code https://api.openai.com/v1} or {@code
 *     http://localhost:8000/v1}; a trailing '/' is optional
 * @param apiKey the bearer key, or null for a self-hosted server that needs none
 * @param dialect OpenAI itself or an OpenAI-compatible server
 * @param callTimeout the limit on one whole HTTP exchange; keep it below the activity's
 *     start-to-close timeout
 */
public record OpenAiSettings(String baseUrl, Secret apiKey, Dialect dialect, Duration callTimeout) {
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(120);

  public OpenAiSettings {
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(dialect, "dialect");
    Objects.requireNonNull(callTimeout, "callTimeout");
    if (HttpUrl.parse(baseUrl) == null) {
      throw new IllegalArgumentException("baseUrl is not an http(s) URL: " + baseUrl);
    }
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException("callTimeout must be positive: " + callTimeout);
    }
  }

  /** OpenAI itself with the default call timeout. */
  public static OpenAiSettings openAi(String baseUrl, Secret apiKey) {
    return new OpenAiSettings(baseUrl, apiKey, Dialect.OPENAI, DEFAULT_CALL_TIMEOUT);
  }

  /** An OpenAI-compatible server with the default call timeout; {@code apiKey} may be null. */
  public static OpenAiSettings compatible(String baseUrl, Secret apiKey) {
    return new OpenAiSettings(baseUrl, apiKey, Dialect.OPENAI_COMPATIBLE, DEFAULT_CALL_TIMEOUT);
  }

  /** The Chat Completions URL under {@link #baseUrl()}. */
  HttpUrl chatCompletionsUrl() {
    // OkHttp replaces a trailing empty segment, so ".../v1" and ".../v1/" give the same URL.
    return HttpUrl.get(baseUrl).newBuilder().addPathSegments("chat/completions").build();
  }
}
