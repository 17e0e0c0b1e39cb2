package dev.loupe.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.provider.fake.FakeBatches;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.MultipartReader;
import okio.Buffer;

/**
 * The Batch API half of {@link FakeOpenAiServer}: Files ({@code POST /v1/files} with {@code
 * purpose=batch}, {@code GET /v1/files/{id}/content}) and Batches ({@code POST /v1/batches}, {@code
 * GET /v1/batches[/{id}]}, {@code POST /v1/batches/{id}/cancel}) in their documented shapes. Each
 * line's body is answered as a Chat Completions request would be; lines can be made to fail or
 * expire, batches to run slowly, to be refused for their enqueued tokens or rejected as invalid.
 * Counts every line received per {@code custom_id}, so tests can assert that each line was
 * submitted once.
 */
public final class FakeOpenAiBatches implements FakeBatches {

  private final ObjectMapper json = new ObjectMapper();
  private final Function<JsonNode, Answer> chat;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final Map<String, Batch> batches = new LinkedHashMap<>();
  private final Map<String, AtomicInteger> linesReceived = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private volatile Function<String, Optional<LineFate>> lineRule = id -> Optional.empty();
  private volatile int pollsBeforeDone;
  private volatile String rejectNext;
  private volatile int quotaRefusals;
  private volatile String requiredKey;

  /** A chat answer: status and body. */
  record Answer(int status, JsonNode body) {}

  private final class Batch {
    final String id;
    final ObjectNode object;
    final List<JsonNode> lines;
    int polls;
    boolean cancelRequested;

    Batch(String id, ObjectNode object, List<JsonNode> lines) {
      this.id = id;
      this.object = object;
      this.lines = lines;
    }
  }

  FakeOpenAiBatches(Function<JsonNode, Answer> chat) {
    this.chat = chat;
  }

  void requireKey(String key) {
    this.requiredKey = key;
  }

  /** Lines received in created batches, per custom ID (a line resubmitted counts again). */
  @Override
  public Map<String, Integer> linesReceived() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    linesReceived.forEach((id, count) -> counts.put(id, count.get()));
    return counts;
  }

  @Override
  public synchronized int batchesCreated() {
    return batches.size();
  }

  /** Decides the fate of each line by custom ID; empty answers it normally. */
  @Override
  public void setLineRule(Function<String, Optional<LineFate>> rule) {
    this.lineRule = rule;
  }

  /** A batch stays in progress for this many polls before it completes (0: at the first). */
  @Override
  public void setPollsBeforeDone(int polls) {
    this.pollsBeforeDone = polls;
  }

  /** The next batch created fails validation with this message. */
  @Override
  public void rejectNextBatch(String message) {
    this.rejectNext = message;
  }

  /** The next {@code count} batches fail for the enqueued-token limit. */
  @Override
  public void refuseNextBatchesForQuota(int count) {
    this.quotaRefusals = count;
  }

  boolean handles(String path) {
    return path.startsWith("/v1/files") || path.startsWith("/v1/batches");
  }

  synchronized MockResponse answer(RecordedRequest request) throws IOException {
    String path = request.getUrl().encodedPath();
    String method = request.getMethod();
    if (requiredKey != null
        && !("Bearer " + requiredKey).equals(request.getHeaders().get("Authorization"))) {
      return error(401, "invalid_api_key", "Incorrect API key provided (fake server).");
    }
    List<String> segments = request.getUrl().pathSegments();
    if ("POST".equals(method) && path.equals("/v1/files")) {
      return upload(request);
    }
    if ("GET".equals(method) && segments.size() == 4 && segments.get(3).equals("content")) {
      byte[] file = files.get(segments.get(2));
      return file == null
          ? error(404, "not_found", "No such File object: " + segments.get(2))
          : new MockResponse.Builder().code(200).body(new Buffer().write(file)).build();
    }
    if ("POST".equals(method) && path.equals("/v1/batches")) {
      return create(json.readTree(request.getBody().utf8()));
    }
    if ("GET".equals(method) && path.equals("/v1/batches")) {
      return list(
          Integer.parseInt(
              Optional.ofNullable(request.getUrl().queryParameter("limit")).orElse("20")));
    }
    if (segments.size() >= 3 && segments.get(1).equals("batches")) {
      Batch batch = batches.get(segments.get(2));
      if (batch == null) {
        return error(404, "not_found", "No batch found with id '" + segments.get(2) + "'.");
      }
      if ("POST".equals(method) && segments.size() == 4 && segments.get(3).equals("cancel")) {
        batch.cancelRequested = true;
        if (!terminal(batch)) {
          batch.object.put("status", "cancelling");
        }
        return ok(batch.object);
      }
      if ("GET".equals(method) && segments.size() == 3) {
        advance(batch);
        return ok(batch.object);
      }
    }
    return error(404, "unknown_url", "Unrecognized request URL (" + method + " " + path + ").");
  }

  private MockResponse upload(RecordedRequest request) throws IOException {
    MediaType type = MediaType.get(request.getHeaders().get("Content-Type"));
    String boundary = type.parameter("boundary");
    String purpose = null;
    byte[] content = null;
    try (MultipartReader reader =
        new MultipartReader(new Buffer().write(request.getBody()), boundary)) {
      MultipartReader.Part part;
      while ((part = reader.nextPart()) != null) {
        String disposition = part.headers().get("Content-Disposition");
        byte[] bytes = part.body().readByteArray();
        if (disposition.contains("name=\"purpose\"")) {
          purpose = new String(bytes, StandardCharsets.UTF_8);
        } else if (disposition.contains("name=\"file\"")) {
          content = bytes;
        }
      }
    }
    if (!"batch".equals(purpose) || content == null) {
      return error(400, "invalid_request", "a batch file needs purpose=batch and a file part");
    }
    String id = "file-fake" + ids.incrementAndGet();
    files.put(id, content);
    ObjectNode file = json.createObjectNode();
    file.put("id", id);
    file.put("object", "file");
    file.put("bytes", content.length);
    file.put("created_at", 1_767_225_600L);
    file.put("filename", "batch.jsonl");
    file.put("purpose", "batch");
    file.put("status", "processed");
    return ok(file);
  }

  private MockResponse create(JsonNode body) throws IOException {
    byte[] input = files.get(body.path("input_file_id").asText());
    if (input == null) {
      return error(400, "invalid_request", "no such input file");
    }
    if (!"/v1/chat/completions".equals(body.path("endpoint").asText())
        || !"24h".equals(body.path("completion_window").asText())) {
      return error(400, "invalid_request", "endpoint and completion_window are wrong");
    }
    List<JsonNode> lines = new ArrayList<>();
    for (String text : new String(input, StandardCharsets.UTF_8).split("\n")) {
      if (!text.isBlank()) {
        JsonNode line = json.readTree(text);
        lines.add(line);
        linesReceived
            .computeIfAbsent(line.path("custom_id").asText(), id -> new AtomicInteger())
            .incrementAndGet();
      }
    }
    String id = "batch_fake" + ids.incrementAndGet();
    ObjectNode object = json.createObjectNode();
    object.put("id", id);
    object.put("object", "batch");
    object.put("endpoint", "/v1/chat/completions");
    object.put("input_file_id", body.path("input_file_id").asText());
    object.put("completion_window", "24h");
    object.put("status", "validating");
    object.put("created_at", 1_767_225_600L + ids.get());
    object.set("metadata", body.path("metadata").deepCopy());
    ObjectNode counts = object.putObject("request_counts");
    counts.put("total", lines.size());
    counts.put("completed", 0);
    counts.put("failed", 0);
    if (rejectNext != null) {
      fail(object, "invalid_request", rejectNext);
      rejectNext = null;
    } else if (quotaRefusals > 0) {
      quotaRefusals--;
      fail(
          object,
          "token_limit_exceeded",
          "Enqueued token limit reached for fake-model in organization org-fake.");
    }
    batches.put(id, new Batch(id, object, lines));
    return ok(object);
  }

  private void fail(ObjectNode object, String code, String message) {
    object.put("status", "failed");
    ObjectNode error = object.putObject("errors").putArray("data").addObject();
    error.put("code", code);
    error.put("message", message);
    error.putNull("param");
    error.putNull("line");
  }

  private MockResponse list(int limit) {
    ObjectNode root = json.createObjectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    List<Batch> newestFirst = new ArrayList<>(batches.values());
    java.util.Collections.reverse(newestFirst);
    for (Batch batch : newestFirst.subList(0, Math.min(limit, newestFirst.size()))) {
      data.add(batch.object);
    }
    root.put("has_more", newestFirst.size() > limit);
    return ok(root);
  }

  private static boolean terminal(Batch batch) {
    return List.of("completed", "failed", "expired", "cancelled")
        .contains(batch.object.path("status").asText());
  }

  /** Moves a batch on at each poll; answers its lines when it ends. */
  private void advance(Batch batch) {
    if (terminal(batch)) {
      return;
    }
    if (batch.cancelRequested) {
      finish(batch, "cancelled", true);
      return;
    }
    batch.polls++;
    if (batch.polls <= pollsBeforeDone) {
      batch.object.put("status", "in_progress");
      return;
    }
    finish(batch, "completed", false);
  }

  private void finish(Batch batch, String status, boolean cancelled) {
    StringBuilder output = new StringBuilder();
    StringBuilder errors = new StringBuilder();
    int completed = 0;
    int failed = 0;
    for (JsonNode line : batch.lines) {
      if (cancelled) {
        continue;
      }
      String customId = line.path("custom_id").asText();
      ObjectNode result = json.createObjectNode();
      result.put("id", "batch_req_" + ids.incrementAndGet());
      result.put("custom_id", customId);
      Optional<LineFate> fate = lineRule.apply(customId);
      if (fate.isPresent() && fate.get() instanceof LineFate.Expires) {
        result.putNull("response");
        ObjectNode error = result.putObject("error");
        error.put("code", "batch_expired");
        error.put(
            "message", "This request could not be executed before the completion window expired.");
        errors.append(result).append('\n');
        failed++;
        continue;
      }
      Answer answer =
          fate.isPresent() && fate.get() instanceof LineFate.Fails fails
              ? new Answer(fails.status(), errorBody(fails.message()))
              : chat.apply(line.path("body"));
      ObjectNode response = result.putObject("response");
      response.put("status_code", answer.status());
      response.put("request_id", "req_fake_" + ids.get());
      response.set("body", answer.body());
      result.putNull("error");
      if (answer.status() == 200) {
        output.append(result).append('\n');
        completed++;
      } else {
        errors.append(result).append('\n');
        failed++;
      }
    }
    batch.object.put("status", status);
    if (!output.isEmpty()) {
      String id = "file-fake" + ids.incrementAndGet();
      files.put(id, output.toString().getBytes(StandardCharsets.UTF_8));
      batch.object.put("output_file_id", id);
    }
    if (!errors.isEmpty()) {
      String id = "file-fake" + ids.incrementAndGet();
      files.put(id, errors.toString().getBytes(StandardCharsets.UTF_8));
      batch.object.put("error_file_id", id);
    }
    ObjectNode counts = (ObjectNode) batch.object.path("request_counts");
    counts.put("completed", completed);
    counts.put("failed", failed);
  }

  private JsonNode errorBody(String message) {
    ObjectNode root = json.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", "invalid_request_error");
    error.putNull("param");
    error.putNull("code");
    return root;
  }

  private MockResponse ok(JsonNode body) {
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/json")
        .body(body.toString())
        .build();
  }

  private MockResponse error(int status, String code, String message) {
    ObjectNode root = json.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", "invalid_request_error");
    error.putNull("param");
    error.put("code", code);
    return new MockResponse.Builder()
        .code(status)
        .addHeader("Content-Type", "application/json")
        .body(root.toString())
        .build();
  }
}
