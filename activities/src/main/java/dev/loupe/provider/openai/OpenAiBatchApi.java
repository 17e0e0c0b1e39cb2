package dev.loupe.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.batch.BatchApi;
import dev.loupe.batch.BatchHttp;
import dev.loupe.batch.BatchLimits;
import dev.loupe.contract.BatchPoll;
import dev.loupe.contract.FailureType;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderCodec;
import dev.loupe.provider.ProviderException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.RequestBody;

/**
 * OpenAI's Batch API for Chat Completions: the input file uploaded with {@code purpose=batch},
 * {@code POST /batches} tagged with {@code metadata.loupe_key}, polled with {@code GET
 * /batches/{id}}, results read from its output and error files. Request bodies, answers and errors
 * go through the endpoint's {@link ProviderCodec}, the online lane's code. One exchange per call,
 * no retries.
 */
public final class OpenAiBatchApi implements BatchApi {
  static final String KEY_FIELD = "loupe_key";
  private static final String CHAT_COMPLETIONS = "/v1/chat/completions";
  private static final MediaType JSON = MediaType.get("application/json");
  private static final MediaType JSONL = MediaType.get("application/jsonl");
  private static final int MAX_KEY_CHARS = 512;
  private static final int LIST_LIMIT = 100;

  private final String baseUrl;
  private final BatchHttp http;

  /**
   * @param baseUrl the API root, e.g. {@code https://api.openai.com/v1}
   * @param http exchanges over the endpoint's Chat Completions codec, the online lane's
   */
  public OpenAiBatchApi(String baseUrl, BatchHttp http) {
    this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
    this.http = Objects.requireNonNull(http, "http");
  }

  @Override
  public BatchLimits limits() {
    return BatchLimits.OPENAI;
  }

  @Override
  public JsonNode requestBody(ModelRequest request) {
    return http.codec().encode(request);
  }

  @Override
  public byte[] line(String customId, JsonNode requestBody) {
    ObjectNode line = http.json().createObjectNode();
    line.put("custom_id", customId);
    line.put("method", "POST");
    line.put("url", CHAT_COMPLETIONS);
    line.set("body", requestBody);
    return http.bytes(line);
  }

  @Override
  public void probe() throws ProviderException {
    http.send(http.request(url("batches").addQueryParameter("limit", "1").build()).get());
  }

  /** Exact: the batch whose {@code metadata.loupe_key} is the key, among the newest 100. */
  @Override
  public Optional<String> find(String key, int lines, Instant attemptedAt)
      throws ProviderException {
    JsonNode list =
        http.send(
            http.request(
                    url("batches").addQueryParameter("limit", Integer.toString(LIST_LIMIT)).build())
                .get());
    String tag = tag(key);
    for (JsonNode batch : list.path("data")) {
      if (tag.equals(batch.path("metadata").path(KEY_FIELD).asText(null))) {
        return Optional.of(batch.path("id").asText());
      }
    }
    return Optional.empty();
  }

  @Override
  public String create(String key, String model, Path input, int lines) throws ProviderException {
    RequestBody upload =
        new MultipartBody.Builder()
            .setType(MultipartBody.FORM)
            .addFormDataPart("purpose", "batch")
            .addFormDataPart("file", "loupe-batch.jsonl", RequestBody.create(input.toFile(), JSONL))
            .build();
    JsonNode file = http.send(http.request(url("files").build()).post(upload));
    ObjectNode create = http.json().createObjectNode();
    create.put("input_file_id", file.path("id").asText());
    create.put("endpoint", CHAT_COMPLETIONS);
    create.put("completion_window", "24h");
    create.putObject("metadata").put(KEY_FIELD, tag(key));
    JsonNode batch =
        http.send(
            http.request(url("batches").build()).post(RequestBody.create(create.toString(), JSON)));
    return batch.path("id").asText();
  }

  @Override
  public Status status(String batchId) throws ProviderException {
    JsonNode batch = http.send(http.request(url("batches").addPathSegment(batchId).build()).get());
    String status = batch.path("status").asText();
    List<String> files = new ArrayList<>();
    for (String field : List.of("output_file_id", "error_file_id")) {
      if (batch.path(field).isTextual()) {
        files.add(batch.path(field).asText());
      }
    }
    return switch (status) {
      case "completed", "expired" ->
          new Status(batchId, BatchPoll.State.ENDED, status, false, files);
      case "cancelled" -> new Status(batchId, BatchPoll.State.ENDED, status, true, files);
      case "failed" -> failed(batchId, batch);
      default -> new Status(batchId, BatchPoll.State.RUNNING, status, false, files);
    };
  }

  /** A batch that failed validation or was refused for its enqueued tokens. */
  private static Status failed(String batchId, JsonNode batch) {
    List<String> messages = new ArrayList<>();
    boolean quota = false;
    for (JsonNode error : batch.path("errors").path("data")) {
      String code = error.path("code").asText("");
      quota |= code.equals("token_limit_exceeded") || code.equals("rate_limit_exceeded");
      String line =
          error.path("line").isNumber() ? " (line " + error.path("line").asInt() + ")" : "";
      messages.add(code + ": " + error.path("message").asText("") + line);
    }
    String message = messages.isEmpty() ? "the batch failed" : String.join("; ", messages);
    return new Status(
        batchId,
        quota ? BatchPoll.State.QUOTA_REFUSED : BatchPoll.State.REJECTED,
        message,
        false,
        List.of());
  }

  @Override
  public void results(Status status, ResultSink sink) throws ProviderException {
    for (String file : status.resultRefs()) {
      http.lines(
          http.request(url("files").addPathSegment(file).addPathSegment("content").build()).get(),
          line -> resultLine(line, sink));
    }
  }

  private void resultLine(JsonNode line, ResultSink sink) throws IOException {
    String customId = line.path("custom_id").asText(null);
    if (customId == null) {
      return;
    }
    JsonNode response = line.path("response");
    if (response.isObject()) {
      int code = response.path("status_code").asInt();
      if (code == 200) {
        sink.accept(customId, response.path("body"), null);
      } else {
        sink.accept(customId, null, http.classify(code, response.path("body").toString()));
      }
      return;
    }
    JsonNode error = line.path("error");
    String code = error.path("code").asText("error");
    String message = error.path("message").asText("");
    sink.accept(
        customId,
        null,
        new ProviderException(
            FailureType.SERVER_ERROR,
            "batch line "
                + ("batch_expired".equals(code) ? "expired" : "failed")
                + ": "
                + code
                + ": "
                + message));
  }

  @Override
  public void cancel(String batchId) throws ProviderException {
    http.send(
        http.request(url("batches").addPathSegment(batchId).addPathSegment("cancel").build())
            .post(RequestBody.create(new byte[0], JSON)));
  }

  @Override
  public ModelResponse read(
      JsonNode responseBody, String model, String schemaName, int maxOutputTokens)
      throws ProviderException {
    return http.read(responseBody, model, schemaName, maxOutputTokens);
  }

  /** The metadata value that marks a batch as Loupe's batch {@code key}; at most 512 chars. */
  static String tag(String key) {
    return key.length() <= MAX_KEY_CHARS ? key : key.substring(key.length() - MAX_KEY_CHARS);
  }

  private HttpUrl.Builder url(String path) {
    return HttpUrl.get(baseUrl).newBuilder().addPathSegments(path);
  }
}
