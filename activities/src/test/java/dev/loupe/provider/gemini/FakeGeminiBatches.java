package dev.loupe.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.provider.fake.FakeBatchBook;
import dev.loupe.provider.fake.FakeBatches;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * The Batch Mode half of {@link FakeGeminiServer}, in its documented shapes: {@code POST
 * models/{model}:batchGenerateContent} with inline requests or an uploaded file's name, a
 * long-running operation polled at {@code GET batches/{id}} ({@code metadata.state} {@code
 * BATCH_STATE_*}; results in {@code response.inlinedResponses} or {@code response.responsesFile}),
 * {@code GET batches} ({@code operations}), {@code POST batches/{id}:cancel}, the Files API's
 * resumable upload and the media download. Each line's request is answered as a generateContent
 * request would be. A rejected create answers 400 {@code INVALID_ARGUMENT}; a quota refusal fails
 * the batch with {@code RESOURCE_EXHAUSTED}. Gemini expires whole batches, not lines: a line made
 * to expire has no result.
 */
public final class FakeGeminiBatches implements FakeBatches {
  private static final Pattern CREATE =
      Pattern.compile("/(v1beta|v1)/models/([^/:]+):batchGenerateContent");

  private final ObjectMapper json = new ObjectMapper();
  private final FakeBatchBook book;
  private final String baseUrl;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final Map<String, String> uploads = new ConcurrentHashMap<>();
  private final Map<String, String> models = new ConcurrentHashMap<>();
  private final Map<String, Boolean> fromFile = new ConcurrentHashMap<>();
  private final Map<String, String> quotaFailed = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  FakeGeminiBatches(
      String baseUrl,
      BiFunction<String, JsonNode, FakeBatchBook.LineAnswer> answer,
      BiFunction<Integer, String, JsonNode> errorBody) {
    this.baseUrl = baseUrl;
    this.book =
        new FakeBatchBook(
            "batches/fake",
            line -> answer.apply(models.get(line.customId()), line.request()),
            errorBody);
  }

  boolean handles(String path) {
    return CREATE.matcher(path).matches()
        || path.matches("/(v1beta|v1)/batches.*")
        || path.startsWith("/upload/")
        || path.startsWith("/download/");
  }

  synchronized MockResponse answer(RecordedRequest request) throws IOException {
    String path = request.getUrl().encodedPath();
    String method = request.getMethod();
    Matcher create = CREATE.matcher(path);
    if ("POST".equals(method) && create.matches()) {
      return create(create.group(2), json.readTree(request.getBody().utf8()));
    }
    if ("POST".equals(method) && path.startsWith("/upload/")) {
      return upload(request);
    }
    if ("GET".equals(method) && path.startsWith("/download/")) {
      String name = path.replaceFirst("^/download/[^/]+/", "").replaceFirst(":download$", "");
      byte[] file = files.get(name);
      return file == null
          ? error(404, "NOT_FOUND", "file not found: " + name)
          : new MockResponse.Builder()
              .code(200)
              .body(new String(file, StandardCharsets.UTF_8))
              .build();
    }
    if ("GET".equals(method) && path.matches("/(v1beta|v1)/batches")) {
      int size =
          Integer.parseInt(
              Optional.ofNullable(request.getUrl().queryParameter("pageSize")).orElse("50"));
      ObjectNode root = json.createObjectNode();
      ArrayNode operations = root.putArray("operations");
      for (FakeBatchBook.Batch batch : book.newest(size)) {
        operations.add(operation(batch));
      }
      return ok(root.toString());
    }
    String name = path.replaceFirst("^/(v1beta|v1)/", "");
    boolean cancel = name.endsWith(":cancel");
    name = name.replaceFirst(":cancel$", "");
    Optional<FakeBatchBook.Batch> found = book.get(name);
    if (found.isEmpty()) {
      return error(404, "NOT_FOUND", "batch not found: " + name);
    }
    if ("POST".equals(method) && cancel) {
      book.cancel(found.get());
      return ok("{}");
    }
    if ("GET".equals(method)) {
      FakeBatchBook.Batch batch =
          quotaFailed.containsKey(name) ? found.get() : book.poll(found.get());
      return ok(operation(batch).toString());
    }
    return error(404, "NOT_FOUND", "Not found: " + method + " " + path + " (fake)");
  }

  private MockResponse create(String model, JsonNode body) {
    JsonNode batch = body.path("batch");
    JsonNode input = batch.path("input_config");
    List<FakeBatchBook.Line> lines = new ArrayList<>();
    boolean file = input.has("file_name");
    if (file) {
      byte[] content = files.get(input.path("file_name").asText());
      if (content == null) {
        return error(400, "INVALID_ARGUMENT", "no such file: " + input.path("file_name"));
      }
      for (String text : new String(content, StandardCharsets.UTF_8).split("\n")) {
        if (!text.isBlank()) {
          try {
            JsonNode line = json.readTree(text);
            lines.add(new FakeBatchBook.Line(line.path("key").asText(), line.path("request")));
          } catch (IOException e) {
            return error(400, "INVALID_ARGUMENT", "a file line is not JSON: " + e.getMessage());
          }
        }
      }
    } else {
      for (JsonNode inline : input.path("requests").path("requests")) {
        lines.add(
            new FakeBatchBook.Line(
                inline.path("metadata").path("key").asText(), inline.path("request")));
      }
    }
    if (lines.isEmpty()) {
      return error(400, "INVALID_ARGUMENT", "the batch has no requests");
    }
    Optional<FakeBatchBook.Refusal> refusal = book.refusal();
    if (refusal.isPresent() && !refusal.get().quota()) {
      return error(400, "INVALID_ARGUMENT", refusal.get().message());
    }
    for (FakeBatchBook.Line line : lines) {
      models.put(line.customId(), model);
    }
    FakeBatchBook.Batch created = book.create(batch.path("display_name").asText(), lines);
    fromFile.put(created.id, file);
    refusal.ifPresent(quota -> quotaFailed.put(created.id, quota.message()));
    return ok(operation(created).toString());
  }

  /** The Files API's resumable upload: a start that names the upload URL, then the bytes. */
  private MockResponse upload(RecordedRequest request) {
    String command = request.getHeaders().get("X-Goog-Upload-Command");
    if ("start".equals(command)) {
      String id = "upload-" + ids.incrementAndGet();
      uploads.put(id, "");
      return new MockResponse.Builder()
          .code(200)
          .addHeader(
              "X-Goog-Upload-URL",
              okhttp3.HttpUrl.get(baseUrl)
                  .resolve("/upload/v1beta/files?upload_id=" + id)
                  .toString())
          .addHeader("X-Goog-Upload-Status", "active")
          .body("")
          .build();
    }
    String id = request.getUrl().queryParameter("upload_id");
    if (id == null || uploads.remove(id) == null || !"upload, finalize".equals(command)) {
      return error(400, "INVALID_ARGUMENT", "unknown upload or command: " + command);
    }
    String name = "files/fake" + ids.incrementAndGet();
    files.put(name, request.getBody().toByteArray());
    ObjectNode root = json.createObjectNode();
    root.putObject("file").put("name", name).put("mimeType", "application/jsonl");
    return ok(root.toString());
  }

  private ObjectNode operation(FakeBatchBook.Batch batch) {
    ObjectNode operation = json.createObjectNode();
    operation.put("name", batch.id);
    ObjectNode metadata = operation.putObject("metadata");
    metadata.put(
        "@type", "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch");
    metadata.put(
        "model", "models/" + models.getOrDefault(batch.lines.get(0).customId(), "unknown"));
    metadata.put("displayName", batch.key);
    String quota = quotaFailed.get(batch.id);
    if (quota != null) {
      metadata.put("state", "BATCH_STATE_FAILED");
      operation.put("done", true);
      operation.putObject("error").put("code", 8).put("message", quota);
      return operation;
    }
    if (!batch.ended()) {
      metadata.put(
          "state", batch.cancelRequested() ? "BATCH_STATE_RUNNING" : "BATCH_STATE_PENDING");
      operation.put("done", false);
      return operation;
    }
    boolean cancelled = batch.results().stream().anyMatch(FakeBatchBook.Result::cancelled);
    metadata.put("state", cancelled ? "BATCH_STATE_CANCELLED" : "BATCH_STATE_SUCCEEDED");
    operation.put("done", true);
    if (cancelled) {
      return operation;
    }
    ObjectNode response = operation.putObject("response");
    response.put(
        "@type",
        "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput");
    if (Boolean.TRUE.equals(fromFile.get(batch.id))) {
      String name = "files/fake-results-" + batch.id.replace('/', '-');
      StringBuilder out = new StringBuilder();
      for (FakeBatchBook.Result result : batch.results()) {
        if (!result.expired()) {
          ObjectNode line = json.createObjectNode();
          line.put("key", result.customId());
          lineOutcome(line, result);
          out.append(line).append('\n');
        }
      }
      files.put(name, out.toString().getBytes(StandardCharsets.UTF_8));
      response.put("responsesFile", name);
    } else {
      ArrayNode inlined = response.putObject("inlinedResponses").putArray("inlinedResponses");
      for (FakeBatchBook.Result result : batch.results()) {
        if (!result.expired()) {
          ObjectNode line = inlined.addObject();
          lineOutcome(line, result);
          line.putObject("metadata").put("key", result.customId());
        }
      }
    }
    return operation;
  }

  private void lineOutcome(ObjectNode line, FakeBatchBook.Result result) {
    if (result.answer().status() == 200) {
      line.set("response", result.answer().body());
    } else {
      JsonNode error = result.answer().body().path("error");
      line.putObject("error")
          .put("code", rpcCode(result.answer().status()))
          .put("message", error.path("message").asText());
    }
  }

  private static int rpcCode(int status) {
    return switch (status) {
      case 400 -> 3;
      case 403 -> 7;
      case 404 -> 5;
      case 429 -> 8;
      case 503 -> 14;
      default -> 13;
    };
  }

  private MockResponse ok(String body) {
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/json; charset=UTF-8")
        .body(body)
        .build();
  }

  private MockResponse error(int code, String status, String message) {
    ObjectNode root = json.createObjectNode();
    root.putObject("error").put("code", code).put("message", message).put("status", status);
    return new MockResponse.Builder()
        .code(code)
        .addHeader("Content-Type", "application/json; charset=UTF-8")
        .body(root.toString())
        .build();
  }

  @Override
  public Map<String, Integer> linesReceived() {
    return book.linesReceived();
  }

  @Override
  public int batchesCreated() {
    return book.batchesCreated();
  }

  @Override
  public void setLineRule(Function<String, Optional<LineFate>> rule) {
    book.setLineRule(rule);
  }

  @Override
  public void setPollsBeforeDone(int polls) {
    book.setPollsBeforeDone(polls);
  }

  @Override
  public void rejectNextBatch(String message) {
    book.rejectNextBatch(message);
  }

  @Override
  public void refuseNextBatchesForQuota(int count) {
    book.refuseNextBatchesForQuota(count);
  }
}
