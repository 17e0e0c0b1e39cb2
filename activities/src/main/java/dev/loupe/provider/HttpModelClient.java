package dev.loupe.provider;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online lane of every provider: one POST of the {@link ProviderCodec}'s body through {@link
 * ProviderHttp}, an error status classified by the codec, a success decoded by it. One HTTP
 * exchange per call, no retries. Thread-safe; build one per endpoint.
 */
public final class HttpModelClient implements ModelClient {
  private static final Logger LOG = LoggerFactory.getLogger(HttpModelClient.class);

  private final ProviderCodec codec;
  private final ProviderHttp http;

  /**
   * @param shared the process's client; this one derives a client with {@code callTimeout} that
   *     shares its connection pool and threads
   * @param callTimeout the limit on one whole exchange; keep it below the activity's timeout
   * @param clock when answers arrive, for HTTP-date retry hints
   */
  public HttpModelClient(
      ProviderCodec codec, OkHttpClient shared, Duration callTimeout, Clock clock) {
    this.codec = Objects.requireNonNull(codec, "codec");
    this.http = new ProviderHttp(codec.api(), shared, callTimeout, clock);
  }

  /** The codec this client speaks. */
  public ProviderCodec codec() {
    return codec;
  }

  @Override
  public ModelResponse complete(ModelRequest request) throws ProviderException {
    byte[] body = codec.encodeBytes(request);
    ProviderHttp.Reply reply =
        http.post(codec.url(request.model()), codec.headers(), body, codec.requestIdHeader());
    if (!reply.successful()) {
      throw codec.classify(
          reply.status(), reply.headers(), reply.text(), reply.requestId(), reply.receivedAt());
    }
    ModelResponse result =
        codec.decode(
            request,
            new ProviderCodec.Answer(
                reply.status(), reply.body(), reply.requestId(), reply.latencyMillis()));
    LOG.debug(
        "{} call model={} status={} latencyMs={} requestBytes={} responseBytes={}"
            + " inputTokens={} cachedInputTokens={} outputTokens={} requestId={}",
        codec.api(),
        result.model(),
        reply.status(),
        reply.latencyMillis(),
        body.length,
        reply.body().length,
        result.inputTokens(),
        result.cachedInputTokens(),
        result.outputTokens(),
        reply.requestId());
    return result;
  }
}
