package dev.loupe.provider.openai;

import dev.loupe.provider.HttpModelClient;
import dev.loupe.provider.ModelClient;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderException;
import java.time.Clock;
import okhttp3.OkHttpClient;

/**
 * The online Chat Completions client: {@link HttpModelClient} speaking {@link OpenAiCodec}.
 * Thread-safe; build one per endpoint.
 */
public final class OpenAiClient implements ModelClient {
  private final OpenAiCodec codec;
  private final HttpModelClient client;

  /**
   * @param http the process's shared client; this client derives one with the call timeout of
   *     {@code settings} that shares its connection pool and threads
   */
  public OpenAiClient(OpenAiSettings settings, OkHttpClient http) {
    this(settings, http, Clock.systemUTC());
  }

  OpenAiClient(OpenAiSettings settings, OkHttpClient http, Clock clock) {
    this.codec = new OpenAiCodec(settings);
    this.client = new HttpModelClient(codec, http, settings.callTimeout(), clock);
  }

  @Override
  public ModelResponse complete(ModelRequest request) throws ProviderException {
    return client.complete(request);
  }

  byte[] encode(ModelRequest request) {
    return codec.encodeBytes(request);
  }
}
