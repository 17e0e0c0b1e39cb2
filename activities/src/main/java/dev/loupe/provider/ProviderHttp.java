package dev.loupe.provider;

import dev.loupe.contract.FailureType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * One JSON POST to a provider, the part every client shares: exactly one exchange, no retries, a
 * call timeout, and the two failures that need no knowledge of the provider's format. A connection
 * that fails or times out is {@link FailureType#TRANSPORT}; a 2xx body that breaks off is {@link
 * FailureType#MALFORMED_OUTPUT}. Every other answer, error statuses included, is returned for the
 * client to classify. Thread-safe.
 */
public final class ProviderHttp {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final long MAX_ERROR_BODY_BYTES = 64 * 1024;

  private final String api;
  private final OkHttpClient http;
  private final Clock clock;

  /**
   * @param api the API's name for messages, e.g. {@code Gemini API}
   * @param shared the process's client; this one derives a client from it that shares its
   *     connection pool and threads
   * @param callTimeout the limit on one whole exchange
   * @param clock when answers arrive, for HTTP-date retry hints
   */
  public ProviderHttp(String api, OkHttpClient shared, Duration callTimeout, Clock clock) {
    this.api = Objects.requireNonNull(api, "api");
    long timeoutMillis = callTimeout.toMillis();
    // Without streaming nothing arrives until the whole answer is ready, so the read timeout
    // must be as long as the call timeout. OkHttp's own silent retries (connection failures, 408)
    // are off: Temporal is the one retry owner.
    this.http =
        shared
            .newBuilder()
            .callTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
            .readTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
            .retryOnConnectionFailure(false)
            .build();
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * An answer: its status and headers, its body (at most 64 KiB of it for error statuses), the
   * provider's request id, when it arrived and how long the exchange took.
   */
  public record Reply(
      int status,
      Headers headers,
      byte[] body,
      String requestId,
      Instant receivedAt,
      long latencyMillis) {

    public boolean successful() {
      return status >= 200 && status < 300;
    }

    /** The body as UTF-8 text. */
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /**
   * Posts {@code body} as JSON.
   *
   * @param headers auth and version headers
   * @param requestIdHeader the response header that carries the provider's request id
   */
  public Reply post(HttpUrl url, Headers headers, byte[] body, String requestIdHeader)
      throws ProviderException {
    Request request =
        new Request.Builder()
            .url(url)
            .headers(headers)
            .post(RequestBody.create(body, JSON))
            .build();
    long start = System.nanoTime();
    try (Response response = http.newCall(request).execute()) {
      String requestId = response.header(requestIdHeader);
      byte[] answer =
          response.isSuccessful()
              ? successBody(response, requestIdHeader, requestId)
              : errorBody(response);
      long latencyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      return new Reply(
          response.code(), response.headers(), answer, requestId, clock.instant(), latencyMillis);
    } catch (IOException e) {
      throw new ProviderException(
          FailureType.TRANSPORT,
          0,
          null,
          api + " call to " + url.host() + ":" + url.port() + " failed: " + e,
          e);
    }
  }

  private static byte[] errorBody(Response response) {
    try {
      return response.peekBody(MAX_ERROR_BODY_BYTES).bytes();
    } catch (IOException e) {
      // The status alone still classifies the failure.
      return new byte[0];
    }
  }

  /** A body that breaks off after a 2xx is a broken answer, not an unreachable endpoint. */
  private static byte[] successBody(Response response, String requestIdHeader, String requestId)
      throws ProviderException {
    try {
      return response.body().bytes();
    } catch (IOException e) {
      throw new ProviderException(
          FailureType.MALFORMED_OUTPUT,
          response.code(),
          null,
          "response body broke off: "
              + e
              + ProviderMessages.requestIdSuffix(requestIdHeader, requestId),
          e);
    }
  }
}
