package dev.loupe.provider.gemini;

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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.RequestBody;

/**
 * Gemini Batch Mode: {@code POST models/{model}:batchGenerateContent} with the requests inline (the
 * whole request under 20 MB) or, for a larger batch, a JSONL file uploaded through the Files API;
 * polled with {@code GET batches/{id}} (a long-running operation); results read inline from the
 * operation or from its responses file. Each line is {@code {"key","request"}}; request bodies,
 * answers and errors go through the endpoint's generateContent codec, the online lane's code. The
 * batch's {@code display_name} is Loupe's key, so a create whose answer was lost is found by name.
 */
public final class GeminiBatchApi implements BatchApi {
  /** Inline requests while the batch file is under this; over it, the file is uploaded. */
  static final long INLINE_MAX_BYTES = 20L * 1000 * 1000 - 64 * 1024;

  private static final int MAX_NAME_CHARS = 128;
  private static final int LIST_LIMIT = 100;
  private static final MediaType JSON = MediaType.get("application/json");
  private static final MediaType JSONL = MediaType.get("application/jsonl");

  private final GeminiSettings settings;
  private final BatchHttp http;
  private final long inlineMaxBytes;

  /**
   * @param http exchanges over the endpoint's generateContent codec, the online lane's
   */
  public GeminiBatchApi(GeminiSettings settings, BatchHttp http) {
    this(settings, http, INLINE_MAX_BYTES);
  }

  /**
   * @param inlineMaxBytes batch files up to this size go inline, larger ones are uploaded
   */
  GeminiBatchApi(GeminiSettings settings, BatchHttp http, long inlineMaxBytes) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.http = Objects.requireNonNull(http, "http");
    this.inlineMaxBytes = inlineMaxBytes;
  }

  @Override
  public BatchLimits limits() {
    return BatchLimits.GEMINI;
  }

  @Override
  public JsonNode requestBody(ModelRequest request) {
    return http.codec().encode(request);
  }

  @Override
  public byte[] line(String customId, JsonNode requestBody) {
    ObjectNode line = http.json().createObjectNode();
    line.put("key", customId);
    line.set("request", requestBody);
    return http.bytes(line);
  }

  @Override
  public void probe() throws ProviderException {
    http.send(http.request(batches().addQueryParameter("pageSize", "1").build()).get());
  }

  /** Exact: the batch whose display name is the key's tag, among the newest 100. */
  @Override
  public Optional<String> find(String key, int lines, Instant attemptedAt)
      throws ProviderException {
    JsonNode list =
        http.send(
            http.request(
                    batches().addQueryParameter("pageSize", Integer.toString(LIST_LIMIT)).build())
                .get());
    String tag = tag(key);
    for (JsonNode operation : list.path("operations")) {
      JsonNode metadata = operation.path("metadata");
      String name = metadata.path("displayName").asText(metadata.path("display_name").asText(""));
      if (tag.equals(name)) {
        return Optional.of(operation.path("name").asText());
      }
    }
    return Optional.empty();
  }

  @Override
  public String create(String key, String model, Path input, int lines)
      throws ProviderException, IOException {
    HttpUrl url = settings.modelMethodUrl(model, "batchGenerateContent");
    String name = http.json().writeValueAsString(tag(key));
    RequestBody body;
    if (Files.size(input) <= inlineMaxBytes) {
      body =
          new JsonArrayBody(
              input,
              "{\"batch\":{\"display_name\":"
                  + name
                  + ",\"input_config\":{\"requests\":{\"requests\":[",
              "]}}}}",
              this::inlineRequest);
    } else {
      String file = upload(input, tag(key));
      body =
          RequestBody.create(
              "{\"batch\":{\"display_name\":"
                  + name
                  + ",\"input_config\":{\"file_name\":"
                  + http.json().writeValueAsString(file)
                  + "}}}",
              JSON);
    }
    return http.send(http.request(url).post(body)).path("name").asText();
  }

  /** A file line {@code {"key","request"}} as an inline request {@code {"request","metadata"}}. */
  private String inlineRequest(String fileLine) {
    try {
      JsonNode line = http.json().readTree(fileLine);
      ObjectNode inline = http.json().createObjectNode();
      inline.set("request", line.path("request"));
      inline.putObject("metadata").put("key", line.path("key").asText());
      return http.json().writeValueAsString(inline);
    } catch (IOException e) {
      throw new UncheckedIOException("a sealed batch line is not JSON", e);
    }
  }

  /** Uploads the JSONL through the Files API's resumable protocol; returns {@code files/…}. */
  private String upload(Path input, String displayName) throws ProviderException, IOException {
    HttpUrl start = withPrefix("upload").addPathSegment("files").build();
    String upload =
        http.exchange(
            http.request(start)
                .header("X-Goog-Upload-Protocol", "resumable")
                .header("X-Goog-Upload-Command", "start")
                .header("X-Goog-Upload-Header-Content-Length", Long.toString(Files.size(input)))
                .header("X-Goog-Upload-Header-Content-Type", JSONL.toString())
                .post(
                    RequestBody.create(
                        "{\"file\":{\"display_name\":"
                            + http.json().writeValueAsString(displayName)
                            + "}}",
                        JSON)),
            (response, request) -> response.header("X-Goog-Upload-URL"));
    HttpUrl target = upload == null ? null : HttpUrl.parse(upload);
    if (target == null || !target.host().equals(start.host())) {
      // The key goes only to the host it was configured for.
      throw new ProviderException(
          FailureType.SERVER_ERROR,
          "Gemini Files API: the upload URL is missing or not on " + start.host() + ": " + upload);
    }
    JsonNode file =
        http.send(
            http.request(target)
                .header("X-Goog-Upload-Offset", "0")
                .header("X-Goog-Upload-Command", "upload, finalize")
                .post(RequestBody.create(input.toFile(), JSONL)));
    return file.path("file").path("name").asText();
  }

  @Override
  public Status status(String batchId) throws ProviderException {
    JsonNode operation = http.send(http.request(named(batchId)).get());
    String state = operation.path("metadata").path("state").asText("");
    String bare = state.replaceFirst("^(BATCH|JOB)_STATE_", "");
    return switch (bare) {
      case "SUCCEEDED" -> new Status(batchId, BatchPoll.State.ENDED, state, false, List.of());
      case "EXPIRED" -> new Status(batchId, BatchPoll.State.ENDED, state, false, List.of());
      case "CANCELLED" -> new Status(batchId, BatchPoll.State.ENDED, state, true, List.of());
      case "FAILED" -> failed(batchId, operation);
      default -> new Status(batchId, BatchPoll.State.RUNNING, state, false, List.of());
    };
  }

  /** A failed batch: refused for quota (429 / RESOURCE_EXHAUSTED) or rejected. */
  private static Status failed(String batchId, JsonNode operation) {
    JsonNode error = operation.path("error");
    String message =
        error.isMissingNode()
            ? "the batch failed"
            : (error.path("status").asText("") + " " + error.path("message").asText("")).strip();
    // google.rpc.Status: code 8 is RESOURCE_EXHAUSTED (some answers carry the HTTP 429 instead).
    int code = error.path("code").asInt();
    boolean quota =
        code == 8 || code == 429 || "RESOURCE_EXHAUSTED".equals(error.path("status").asText());
    return new Status(
        batchId,
        quota ? BatchPoll.State.QUOTA_REFUSED : BatchPoll.State.REJECTED,
        message.strip(),
        false,
        List.of());
  }

  /** Results are read from the operation at delivery, so they are never held between polls. */
  @Override
  public void results(Status status, ResultSink sink) throws ProviderException, IOException {
    if (status.state() != BatchPoll.State.ENDED) {
      return;
    }
    JsonNode operation = http.send(http.request(named(status.batchId())).get());
    JsonNode response = operation.path("response");
    for (JsonNode inline : response.path("inlinedResponses").path("inlinedResponses")) {
      resultLine(
          inline.path("metadata").path("key").asText(null),
          inline.path("response"),
          inline.path("error"),
          sink);
    }
    String file = response.path("responsesFile").asText(null);
    if (file != null) {
      HttpUrl download =
          withPrefix("download")
              .addPathSegments(file + ":download")
              .addQueryParameter("alt", "media")
              .build();
      http.lines(
          http.request(download).get(),
          line ->
              resultLine(
                  line.path("key").asText(null), line.path("response"), line.path("error"), sink));
    }
  }

  private void resultLine(String key, JsonNode response, JsonNode error, ResultSink sink)
      throws IOException {
    if (key == null) {
      return;
    }
    if (error.isObject()) {
      int code = error.path("code").asInt(500);
      ObjectNode envelope = http.json().createObjectNode();
      envelope.set("error", error);
      // A line's google.rpc.Status carries a gRPC code; classify it as the HTTP status it maps to.
      sink.accept(key, null, http.classify(httpStatus(code), envelope.toString()));
      return;
    }
    sink.accept(key, response, null);
  }

  /** google.rpc.Code to the HTTP status an online call would have had. */
  static int httpStatus(int code) {
    return switch (code) {
      case 3, 9, 11 -> 400; // INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE
      case 16 -> 401; // UNAUTHENTICATED
      case 7 -> 403; // PERMISSION_DENIED
      case 5 -> 404; // NOT_FOUND
      case 8 -> 429; // RESOURCE_EXHAUSTED
      case 14 -> 503; // UNAVAILABLE
      case 4 -> 504; // DEADLINE_EXCEEDED
      default -> code >= 100 ? code : 500; // already an HTTP status, or INTERNAL and the rest
    };
  }

  @Override
  public void cancel(String batchId) throws ProviderException {
    HttpUrl named = named(batchId);
    http.send(
        http.request(named.newBuilder().encodedPath(named.encodedPath() + ":cancel").build())
            .post(RequestBody.create(new byte[0], JSON)));
  }

  @Override
  public ModelResponse read(
      JsonNode responseBody, String model, String schemaName, int maxOutputTokens)
      throws ProviderException {
    return http.read(responseBody, model, schemaName, maxOutputTokens);
  }

  /** The display name that marks a batch as Loupe's {@code key}; at most 128 chars. */
  static String tag(String key) {
    return key.length() <= MAX_NAME_CHARS ? key : key.substring(key.length() - MAX_NAME_CHARS);
  }

  private HttpUrl.Builder batches() {
    return settings.apiRoot().addPathSegment("batches");
  }

  /** {@code batches/123} under the API root. */
  private HttpUrl named(String name) {
    return settings.apiRoot().addPathSegments(name).build();
  }

  /**
   * The root with {@code upload} or {@code download} before its version: {@code /upload/v1beta}.
   */
  private HttpUrl.Builder withPrefix(String prefix) {
    HttpUrl root = settings.apiRoot().build();
    String path = root.encodedPath().replaceAll("/+$", "");
    return root.newBuilder().encodedPath("/" + prefix + path);
  }
}
