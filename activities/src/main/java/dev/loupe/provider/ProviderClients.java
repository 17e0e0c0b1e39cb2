package dev.loupe.provider;

import dev.loupe.batch.BatchApi;
import dev.loupe.batch.BatchHttp;
import dev.loupe.provider.anthropic.AnthropicBatchApi;
import dev.loupe.provider.anthropic.AnthropicCodec;
import dev.loupe.provider.anthropic.AnthropicSettings;
import dev.loupe.provider.gemini.GeminiBatchApi;
import dev.loupe.provider.gemini.GeminiCodec;
import dev.loupe.provider.gemini.GeminiSettings;
import dev.loupe.provider.openai.Dialect;
import dev.loupe.provider.openai.OpenAiBatchApi;
import dev.loupe.provider.openai.OpenAiCodec;
import dev.loupe.provider.openai.OpenAiSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import okhttp3.OkHttpClient;

/**
 * Builds each provider kind's {@link ProviderCodec} and its online client, all sharing the
 * process's one {@link OkHttpClient}.
 */
public final class ProviderClients {
  private final OkHttpClient http;

  public ProviderClients(OkHttpClient http) {
    this.http = Objects.requireNonNull(http, "http");
  }

  /**
   * The online client: one {@link HttpModelClient} over the kind's codec.
   *
   * @param baseUrl the API root, as the provider's own SDK takes it
   * @param apiKey the key, or null where the server needs none
   * @param callTimeout the limit on one HTTP exchange
   */
  public HttpModelClient create(
      ProviderKind kind, String baseUrl, Secret apiKey, Duration callTimeout) {
    return create(kind, baseUrl, apiKey, callTimeout, false);
  }

  /**
   * @param promptCache mark the shared prefix for the provider's prompt cache where the provider
   *     needs that (Anthropic {@code cache_control}); the others cache prefixes by themselves
   */
  public HttpModelClient create(
      ProviderKind kind, String baseUrl, Secret apiKey, Duration callTimeout, boolean promptCache) {
    return new HttpModelClient(
        codec(kind, baseUrl, apiKey, callTimeout, promptCache),
        http,
        callTimeout,
        Clock.systemUTC());
  }

  /**
   * The kind's wire format for an endpoint, as the online client, a batch lane and the response
   * cache share it.
   */
  public static ProviderCodec codec(
      ProviderKind kind, String baseUrl, Secret apiKey, Duration callTimeout) {
    return codec(kind, baseUrl, apiKey, callTimeout, false);
  }

  /** {@link #codec(ProviderKind, String, Secret, Duration)} with prompt-cache marks or not. */
  public static ProviderCodec codec(
      ProviderKind kind, String baseUrl, Secret apiKey, Duration callTimeout, boolean promptCache) {
    return switch (kind) {
      case OPENAI ->
          new OpenAiCodec(new OpenAiSettings(baseUrl, apiKey, Dialect.OPENAI, callTimeout));
      case OPENAI_COMPATIBLE ->
          new OpenAiCodec(
              new OpenAiSettings(baseUrl, apiKey, Dialect.OPENAI_COMPATIBLE, callTimeout));
      case GEMINI -> new GeminiCodec(new GeminiSettings(baseUrl, apiKey, callTimeout));
      case ANTHROPIC ->
          new AnthropicCodec(
              new AnthropicSettings(
                  baseUrl, apiKey, AnthropicSettings.DEFAULT_VERSION, callTimeout, promptCache));
    };
  }

  /**
   * The batch API of an endpoint, over the same codec as its online client (prompt-cache marks
   * included), or empty where Loupe speaks none (OpenAI-compatible servers).
   *
   * @param transferTimeout the limit on one exchange, batch uploads and downloads included
   */
  public Optional<BatchApi> createBatchApi(
      ProviderKind kind,
      String baseUrl,
      Secret apiKey,
      Duration transferTimeout,
      boolean promptCache) {
    BatchHttp batchHttp =
        new BatchHttp(
            codec(kind, baseUrl, apiKey, transferTimeout, promptCache), http, transferTimeout);
    return switch (kind) {
      case OPENAI -> Optional.of(new OpenAiBatchApi(baseUrl, batchHttp));
      case ANTHROPIC -> Optional.of(new AnthropicBatchApi(batchHttp));
      case GEMINI ->
          Optional.of(
              new GeminiBatchApi(new GeminiSettings(baseUrl, apiKey, transferTimeout), batchHttp));
      case OPENAI_COMPATIBLE -> Optional.empty();
    };
  }
}
