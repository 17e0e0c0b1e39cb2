package dev.loupe.provider;

import dev.loupe.batch.BatchApi;
import dev.loupe.provider.anthropic.AnthropicClient;
import dev.loupe.provider.anthropic.AnthropicSettings;
import dev.loupe.provider.gemini.GeminiClient;
import dev.loupe.provider.gemini.GeminiSettings;
import dev.loupe.provider.openai.Dialect;
import dev.loupe.provider.openai.OpenAiBatchApi;
import dev.loupe.provider.openai.OpenAiClient;
import dev.loupe.provider.openai.OpenAiSettings;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import okhttp3.OkHttpClient;

/** Builds the client of each provider kind, all sharing the process's one {@link OkHttpClient}. */
public final class ProviderClients {
  private final OkHttpClient http;

  public ProviderClients(OkHttpClient http) {
    this.http = Objects.requireNonNull(http, "http");
  }

  /**
   * @param baseUrl the API root, as the provider's own SDK takes it
   * @param apiKey the key, or null where the server needs none
   * @param callTimeout the limit on one HTTP exchange
   */
  public ModelClient create(
      ProviderKind kind, String baseUrl, Secret apiKey, Duration callTimeout) {
    return switch (kind) {
      case OPENAI ->
          new OpenAiClient(new OpenAiSettings(baseUrl, apiKey, Dialect.OPENAI, callTimeout), http);
      case OPENAI_COMPATIBLE ->
          new OpenAiClient(
              new OpenAiSettings(baseUrl, apiKey, Dialect.OPENAI_COMPATIBLE, callTimeout), http);
      case GEMINI -> new GeminiClient(new GeminiSettings(baseUrl, apiKey, callTimeout), http);
      case ANTHROPIC ->
          new AnthropicClient(
              new AnthropicSettings(
                  baseUrl, apiKey, AnthropicSettings.DEFAULT_VERSION, callTimeout),
              http);
    };
  }

  /**
   * The batch API of a provider, or empty where Loupe speaks none (OpenAI-compatible servers; the
   * Anthropic and Gemini batch APIs are not wired yet).
   *
   * @param transferTimeout the limit on one exchange, batch uploads and downloads included
   */
  public Optional<BatchApi> createBatchApi(
      ProviderKind kind, String baseUrl, Secret apiKey, Duration transferTimeout) {
    return switch (kind) {
      case OPENAI ->
          Optional.of(
              new OpenAiBatchApi(
                  new OpenAiSettings(baseUrl, apiKey, Dialect.OPENAI, transferTimeout),
                  http,
                  transferTimeout));
      case OPENAI_COMPATIBLE, GEMINI, ANTHROPIC -> Optional.empty();
    };
  }
}
