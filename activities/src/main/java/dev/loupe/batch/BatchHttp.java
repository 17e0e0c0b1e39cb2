package dev.loupe.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.loupe.contract.FailureType;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderCodec;
import dev.loupe.provider.ProviderException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The exchanges every provider's batch API makes, over the endpoint's online codec: JSON requests
 * with the codec's auth headers, JSONL result streams, errors classified and answers read as the
 * online lane classifies and reads them. One exchange per call, no retries, no redirects followed.
 */
public final class BatchHttp {
  private static final int ERROR_BODY_BYTES = 64 * 1024;

  private final ProviderCodec codec;
  private final OkHttpClient http;
  private final OkHttpClient reads;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param codec the endpoint's codec, the online lane's
   * @param shared the worker's HTTP client (its connection pool)
   * @param transferTimeout the limit on one exchange, uploads and result downloads included
   */
  public BatchHttp(ProviderCodec codec, OkHttpClient shared, Duration transferTimeout) {
    this.codec = Objects.requireNonNull(codec, "codec");
    long millis = transferTimeout.toMillis();
    this.http =
        shared
            .newBuilder()
            .callTimeout(millis, TimeUnit.MILLISECONDS)
            .readTimeout(millis, TimeUnit.MILLISECONDS)
            .retryOnConnectionFailure(false)
            .followRedirects(false)
            .followSslRedirects(false)
            .build();
    // A GET may go again on a fresh connection when a pooled one turns out closed (a provider
    // drops idle keep-alive connections between polls); a POST never does, so a create is sent
    // once per attempt and a lost answer is looked up, not sent again.
    this.reads = http.newBuilder().retryOnConnectionFailure(true).build();
  }

  public ProviderCodec codec() {
    return codec;
  }

  public ObjectMapper json() {
    return json;
  }

  /** A request to {@code url} with the endpoint's auth headers. */
  public Request.Builder request(HttpUrl url) {
    return new Request.Builder().url(url).headers(codec.headers());
  }

  /** Sends a request whose answer is one JSON document; a non-2xx answer is classified. */
  public JsonNode send(Request.Builder request) throws ProviderException {
    return exchange(request, (response, built) -> json.readTree(response.body().string()));
  }

  /** Sends a request and hands the successful response to {@code reader}. */
  public <T> T exchange(Request.Builder request, ResponseReader<T> reader)
      throws ProviderException {
    Request built = request.build();
    OkHttpClient client = "GET".equals(built.method()) ? reads : http;
    try (Response response = client.newCall(built).execute()) {
      if (!response.isSuccessful()) {
        throw classify(response.code(), response.peekBody(ERROR_BODY_BYTES).string());
      }
      return reader.read(response, built);
    } catch (JsonProcessingException e) {
      throw new ProviderException(
          FailureType.SERVER_ERROR,
          codec.api() + " batch: " + what(built) + " answered with malformed JSON: " + e);
    } catch (IOException e) {
      throw new ProviderException(
          FailureType.TRANSPORT,
          0,
          null,
          codec.api() + " batch: " + what(built) + " failed: " + e,
          e);
    }
  }

  /** Streams the JSONL body of a GET to {@code sink}, one parsed line at a time. */
  public void lines(Request.Builder request, LineSink sink) throws ProviderException {
    exchange(
        request,
        (response, built) -> {
          try (BufferedReader reader =
              new BufferedReader(
                  new InputStreamReader(response.body().byteStream(), StandardCharsets.UTF_8))) {
            String text;
            while ((text = reader.readLine()) != null) {
              if (!text.isBlank()) {
                sink.accept(json.readTree(text));
              }
            }
          }
          return null;
        });
  }

  /** An error answer as the online lane classifies it. */
  public ProviderException classify(int status, String body) {
    return codec.classify(status, Headers.of(), body, null, Instant.now());
  }

  /**
   * Reads a successful line's response body as the online lane reads a response: the same refusals,
   * truncations and malformed outputs fail the same way.
   */
  public ModelResponse read(
      JsonNode responseBody, String model, String schemaName, int maxOutputTokens)
      throws ProviderException {
    ModelRequest shape =
        new ModelRequest(
            model,
            null,
            "",
            null,
            schemaName == null
                ? null
                : new ModelRequest.OutputSchema(schemaName, NullNode.getInstance()),
            maxOutputTokens);
    return codec.decode(shape, new ProviderCodec.Answer(200, bytes(responseBody), null, 0));
  }

  /** A JSON tree as bytes. */
  public byte[] bytes(JsonNode node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a batch document", e);
    }
  }

  private static String what(Request request) {
    return request.method() + " " + request.url().encodedPath();
  }

  /** Reads a successful response. */
  @FunctionalInterface
  public interface ResponseReader<T> {
    T read(Response response, Request request) throws IOException, ProviderException;
  }

  /** Receives the lines of a JSONL stream. */
  @FunctionalInterface
  public interface LineSink {
    void accept(JsonNode line) throws IOException, ProviderException;
  }
}
