package dev.loupe.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import okhttp3.Headers;
import okhttp3.HttpUrl;

/**
 * One provider's wire format: the single place where a {@link ModelRequest} becomes a request body
 * and where an answer becomes a {@link ModelResponse} or a classified {@link ProviderException}.
 * Whichever way a request travels it is built here: the online lane ({@link HttpModelClient}) posts
 * {@link #encode}'s body to {@link #url}; a batch lane wraps the same body in the provider's batch
 * line and reads each result line's body back with {@link #decode}; the response cache derives its
 * key from the same body. No I/O; immutable and thread-safe.
 */
public interface ProviderCodec {

  /** The API's name for messages, e.g. {@code OpenAI API}. */
  String api();

  /** The response header that carries the provider's request id, for messages and log lines. */
  String requestIdHeader();

  /** Where an online call of {@code model} is posted. */
  HttpUrl url(String model);

  /** Authentication and version headers; they carry the key, so never log them. */
  Headers headers();

  /**
   * The request body as the provider's online endpoint takes it (for a batch line: the line's
   * {@code body}, {@code params} or {@code request}). Deterministic: equal requests give equal
   * bodies, field for field and in the same order.
   */
  ObjectNode encode(ModelRequest request);

  /** {@link #encode}'s body as the bytes that are posted. */
  default byte[] encodeBytes(ModelRequest request) {
    return WireJson.bytes(encode(request));
  }

  /**
   * Reads a successful answer to {@code request}: its text, the model the provider reports and the
   * usage block.
   *
   * @throws ProviderException a refusal, an unusable or cut-off output, or a body that is not the
   *     provider's answer; never for a usable output
   */
  ModelResponse decode(ModelRequest request, Answer answer) throws ProviderException;

  /**
   * The failure an error answer (any status but 2xx) stands for, with the provider's retry hint.
   *
   * @param headers response headers, for retry hints; empty where there are none (batch lines)
   * @param body the error body, possibly empty or not JSON
   * @param requestId the provider's request id, or null
   * @param receivedAt when the answer arrived, for HTTP-date retry hints
   */
  ProviderException classify(
      int status, Headers headers, String body, String requestId, Instant receivedAt);

  /**
   * A successful answer's body with what identifies it.
   *
   * @param status the HTTP status (200 for batch result lines)
   * @param requestId the provider's request id, or null
   * @param latencyMillis wall time of the exchange, 0 where none was timed
   */
  record Answer(int status, byte[] body, String requestId, long latencyMillis) {}
}
