package dev.loupe.batch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contract.BatchPoll;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * One provider's batch API, for one configured endpoint. Requests are built and answers read by the
 * same code as the provider's online calls, so a request is the same whichever lane it travels.
 * Like the online clients, it makes one exchange per call and never retries.
 */
public interface BatchApi {

  /** The ceilings of one batch. */
  BatchLimits limits();

  /** The request body of a call, exactly as the online lane would send it. */
  JsonNode requestBody(ModelRequest request);

  /** One line of the batch input file (JSONL, no line break) for a request body. */
  byte[] line(String customId, JsonNode requestBody);

  /** Fails with the provider's message when the key may not use the batch API. */
  void probe() throws ProviderException;

  /**
   * The batch created under {@code key}, if the provider lists one: a create whose answer was lost
   * (a crash between create and record) is found here rather than created twice. Asked only when a
   * create under this key was attempted before.
   *
   * @param lines how many lines that batch holds
   * @param attemptedAt when that create was attempted (before the request was sent)
   */
  Optional<String> find(String key, int lines, Instant attemptedAt) throws ProviderException;

  /**
   * Creates a batch of the lines in {@code input} (JSONL of {@link #line}s, all for {@code model})
   * tagged with {@code key}; returns its ID.
   */
  String create(String key, String model, Path input, int lines)
      throws ProviderException, IOException;

  /** Where the batch is. */
  Status status(String batchId) throws ProviderException;

  /** Streams an ended batch's result lines to {@code sink}, in the provider's order. */
  void results(Status status, ResultSink sink) throws ProviderException, IOException;

  /** Asks the provider to cancel the batch. */
  void cancel(String batchId) throws ProviderException;

  /**
   * Reads a successful line's response body as the online lane reads a response: the same refusals,
   * truncations and malformed outputs fail the same way.
   *
   * @param schemaName the structured output's schema name (Anthropic answers with a tool of that
   *     name), or null for free text
   */
  ModelResponse read(JsonNode responseBody, String model, String schemaName, int maxOutputTokens)
      throws ProviderException;

  /**
   * @param state where the batch is
   * @param message the provider's words when it refused or rejected it
   * @param cancelled whether it ended by cancellation: its unfinished lines fail for good
   * @param resultRefs where its results are (file IDs or a results URL), provider-specific
   */
  record Status(
      String batchId,
      BatchPoll.State state,
      String message,
      boolean cancelled,
      java.util.List<String> resultRefs) {}

  /** Receives result lines. */
  @FunctionalInterface
  interface ResultSink {
    /**
     * @param customId the line's ID
     * @param body the response body of a line that succeeded, else null
     * @param failure why the line failed (its error, expiry or cancellation), else null
     */
    void accept(String customId, JsonNode body, ProviderException failure) throws IOException;
  }
}
