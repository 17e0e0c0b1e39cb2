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
import okio.BufferedSource;

/**
 * One JSON POST to a provider, the part every client shares: exactly one exchange, no retries, a
 * call timeout, and the failures that need no knowledge of the provider's format. A connection that
 * fails or times out is {@link FailureType#TRANSPORT}; a 2xx body that breaks off, or that is
 * larger than the response cap, is {@link FailureType#MALFORMED_OUTPUT}. Redirects are never
 * followed: following one would send the API key's header to whatever host the {@code Location}
 * names, so a 3xx is {@link FailureType#BAD_REQUEST} naming that host. Every other answer, error
 * statuses included, is returned for the client to classify. Thread-safe.
 */
public final class ProviderHttp {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final long MAX_ERROR_BODY_BYTES = 64 * 1024;

  /**
   * The largest successful answer read: a chat answer is a few kilobytes of text, so 16 MiB leaves
   * room for any model's longest output while a gateway that streams without end cannot fill the
   * worker's heap.
   */
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 16L * 1024 * 1024;

  private final String api;
  private final OkHttpClient http;
  private final Clock clock;
  private final long maxResponseBytes;

  /**
   * @param api the API's name for messages, e.g. {@code Gemini API}
   * @param shared the process's client; this one derives a client from it that shares its
   *     connection pool and threads
   * @param callTimeout the limit on one whole exchange
   * @param clock when answers arrive, for HTTP-date retry hints
   */
  public ProviderHttp(String api, OkHttpClient shared, Duration callTimeout, Clock clock) {
    this(api, shared, callTimeout, clock, DEFAULT_MAX_RESPONSE_BYTES);
  }

  /**
   * @param maxResponseBytes the largest successful body read; a larger one fails the call
   */
  public ProviderHttp(
      String api, OkHttpClient shared, Duration callTimeout, Clock clock, long maxResponseBytes) {
    if (maxResponseBytes <= 0) {
      throw new IllegalArgumentException("maxResponseBytes must be positive: " + maxResponseBytes);
    }
    this.maxResponseBytes = maxResponseBytes;
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
            .followRedirects(false)
            .followSslRedirects(false)
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
      if (response.isRedirect()) {
        throw redirected(url, response, requestIdHeader, requestId);
      }
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

  private ProviderException redirected(
      HttpUrl url, Response response, String requestIdHeader, String requestId) {
    String location = response.header("Location");
    HttpUrl target = location == null ? null : url.resolve(location);
    String where = target == null ? "no usable Location" : target.scheme() + "://" + target.host();
    return new ProviderException(
        FailureType.BAD_REQUEST,
        response.code(),
        null,
        api
            + " answered "
            + response.code()
            + " with a redirect to "
            + where
            + "; redirects are not followed, since they would carry the API key to that host:"
            + " set the endpoint's base URL to the address that answers"
            + ProviderMessages.requestIdSuffix(requestIdHeader, requestId),
        null);
  }

  private static byte[] errorBody(Response response) {
    try {
      return response.peekBody(MAX_ERROR_BODY_BYTES).bytes();
    } catch (IOException e) {
      // The status alone still classifies the failure.
      return new byte[0];
    }
  }

  /**
   * A body that breaks off after a 2xx, or outgrows the cap, is a broken answer, not an unreachable
   * endpoint. The cap is checked against the declared length before anything is read, and against
   * the bytes that arrive when no length is declared.
   */
  private byte[] successBody(Response response, String requestIdHeader, String requestId)
      throws ProviderException {
    try {
      long declared = response.body().contentLength();
      BufferedSource source = response.body().source();
      if (declared > maxResponseBytes || source.request(maxResponseBytes + 1)) {
        throw new ProviderException(
            FailureType.MALFORMED_OUTPUT,
            response.code(),
            null,
            "response body is larger than the "
                + maxResponseBytes
                + "-byte cap"
                + (declared > 0 ? " (Content-Length " + declared + ")" : "")
                + ProviderMessages.requestIdSuffix(requestIdHeader, requestId),
            null);
      }
      return source.readByteArray();
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
