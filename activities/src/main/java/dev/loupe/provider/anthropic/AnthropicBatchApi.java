package dev.loupe.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.batch.BatchApi;
import dev.loupe.batch.BatchHttp;
import dev.loupe.batch.BatchLimits;
import dev.loupe.batch.JsonArrayBody;
import dev.loupe.contract.BatchPoll;
import dev.loupe.contract.FailureType;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.RequestBody;

/**
 * Anthropic's Message Batches API: {@code POST /v1/messages/batches} with the requests inline
 * ({@code {"requests":[{"custom_id","params"}]}}), polled with {@code GET
 * /v1/messages/batches/{id}}, results streamed from its {@code results_url}. Request bodies,
 * answers and errors go through the endpoint's Messages codec, the online lane's code.
 *
 * <p>Message batches carry no metadata, so a create whose answer was lost is found by what Loupe
 * knows of it: created within minutes of the attempt, with exactly its number of requests. When
 * more than one batch matches, none is taken (a new one is created; see
 * docs/architecture-batch.md).
 */
public final class AnthropicBatchApi implements BatchApi {
  /** How far a listed batch's creation may be from the recorded attempt and still be it. */
  static final Duration FIND_BEFORE = Duration.ofMinutes(2);

  static final Duration FIND_AFTER = Duration.ofMinutes(30);
  private static final int LIST_LIMIT = 100;
  private static final MediaType JSON = MediaType.get("application/json");

  private final HttpUrl batches;
  private final BatchHttp http;

  /**
   * @param http exchanges over the endpoint's Messages codec, the online lane's
   */
  public AnthropicBatchApi(BatchHttp http) {
    this.http = Objects.requireNonNull(http, "http");
    this.batches = http.codec().url(null).newBuilder().addPathSegment("batches").build();
  }

  @Override
  public BatchLimits limits() {
    return BatchLimits.ANTHROPIC;
  }

  @Override
  public JsonNode requestBody(ModelRequest request) {
    return http.codec().encode(request);
  }

  @Override
  public byte[] line(String customId, JsonNode requestBody) {
    ObjectNode line = http.json().createObjectNode();
    line.put("custom_id", customId);
    line.set("params", requestBody);
    return http.bytes(line);
  }

  @Override
  public void probe() throws ProviderException {
    http.send(http.request(batches.newBuilder().addQueryParameter("limit", "1").build()).get());
  }

  @Override
  public Optional<String> find(String key, int lines, Instant attemptedAt)
      throws ProviderException {
    JsonNode list =
        http.send(
            http.request(
                    batches
                        .newBuilder()
                        .addQueryParameter("limit", Integer.toString(LIST_LIMIT))
                        .build())
                .get());
    List<String> matches = new ArrayList<>();
    for (JsonNode batch : list.path("data")) {
      Instant created = instant(batch.path("created_at").asText(""));
      if (created == null
          || created.isBefore(attemptedAt.minus(FIND_BEFORE))
          || created.isAfter(attemptedAt.plus(FIND_AFTER))) {
        continue;
      }
      long requests = 0;
      for (JsonNode count : batch.path("request_counts")) {
        requests += count.asLong();
      }
      if (requests == lines) {
        matches.add(batch.path("id").asText());
      }
    }
    return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
  }

  @Override
  public String create(String key, String model, Path input, int lines) throws ProviderException {
    RequestBody body = new JsonArrayBody(input, "{\"requests\":[", "]}", UnaryOperator.identity());
    return http.send(http.request(batches).post(body)).path("id").asText();
  }

  @Override
  public Status status(String batchId) throws ProviderException {
    JsonNode batch =
        http.send(http.request(batches.newBuilder().addPathSegment(batchId).build()).get());
    String status = batch.path("processing_status").asText();
    boolean cancelled =
        !batch.path("cancel_initiated_at").isNull()
            && !batch.path("cancel_initiated_at").isMissingNode();
    if (!"ended".equals(status)) {
      return new Status(batchId, BatchPoll.State.RUNNING, status, cancelled, List.of());
    }
    String results = batch.path("results_url").asText(null);
    return new Status(
        batchId,
        BatchPoll.State.ENDED,
        status,
        cancelled,
        results == null ? List.of() : List.of(results));
  }

  @Override
  public void results(Status status, ResultSink sink) throws ProviderException {
    for (String url : status.resultRefs()) {
      HttpUrl results = HttpUrl.parse(url);
      if (results == null || !results.host().equals(batches.host())) {
        // The key goes only to the host it was configured for.
        throw new ProviderException(
            FailureType.BAD_REQUEST,
            "Anthropic batch "
                + status.batchId()
                + ": results_url is not on "
                + batches.host()
                + ": "
                + url);
      }
      http.lines(http.request(results).get(), line -> resultLine(line, sink));
    }
  }

  private void resultLine(JsonNode line, ResultSink sink) throws java.io.IOException {
    String customId = line.path("custom_id").asText(null);
    if (customId == null) {
      return;
    }
    JsonNode result = line.path("result");
    switch (result.path("type").asText("")) {
      case "succeeded" -> sink.accept(customId, result.path("message"), null);
      case "errored" -> {
        JsonNode envelope = result.path("error");
        sink.accept(
            customId,
            null,
            http.classify(
                httpStatus(envelope.path("error").path("type").asText("")), envelope.toString()));
      }
      case "expired" ->
          sink.accept(
              customId,
              null,
              new ProviderException(
                  FailureType.SERVER_ERROR, "batch line expired before it ran (24 h window)"));
      case "canceled" ->
          sink.accept(
              customId,
              null,
              new ProviderException(
                  FailureType.BAD_REQUEST, "the batch was cancelled before the line ran"));
      default ->
          sink.accept(
              customId,
              null,
              new ProviderException(
                  FailureType.SERVER_ERROR, "batch line ended as " + result.path("type")));
    }
  }

  /** The HTTP status an online call would have had for an error type, so it classifies alike. */
  static int httpStatus(String errorType) {
    return switch (errorType) {
      case "invalid_request_error" -> 400;
      case "authentication_error" -> 401;
      case "billing_error" -> 402;
      case "permission_error" -> 403;
      case "not_found_error" -> 404;
      case "request_too_large" -> 413;
      case "rate_limit_error" -> 429;
      case "overloaded_error" -> 529;
      default -> 500;
    };
  }

  @Override
  public void cancel(String batchId) throws ProviderException {
    http.send(
        http.request(batches.newBuilder().addPathSegment(batchId).addPathSegment("cancel").build())
            .post(RequestBody.create(new byte[0], JSON)));
  }

  @Override
  public ModelResponse read(
      JsonNode responseBody, String model, String schemaName, int maxOutputTokens)
      throws ProviderException {
    return http.read(responseBody, model, schemaName, maxOutputTokens);
  }

  private static Instant instant(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
