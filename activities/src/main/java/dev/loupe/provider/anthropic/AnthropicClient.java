package dev.loupe.provider.anthropic;

import dev.loupe.provider.HttpModelClient;
import dev.loupe.provider.ModelClient;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderException;
import java.time.Clock;
import okhttp3.OkHttpClient;

/**
 * The online Messages client: {@link HttpModelClient} speaking {@link AnthropicCodec}. Thread-safe;
 * build one per endpoint.
 */
public final class AnthropicClient implements ModelClient {
  private final HttpModelClient client;

  /**
   * @param http the process's shared client; this client derives one with the call timeout of
   *     {@code settings} that shares its connection pool and threads
   */
  public AnthropicClient(AnthropicSettings settings, OkHttpClient http) {
    this(settings, http, Clock.systemUTC());
  }

  AnthropicClient(AnthropicSettings settings, OkHttpClient http, Clock clock) {
    this.client =
        new HttpModelClient(new AnthropicCodec(settings), http, settings.callTimeout(), clock);
  }

  @Override
  public ModelResponse complete(ModelRequest request) throws ProviderException {
    return client.complete(request);
  }
}
