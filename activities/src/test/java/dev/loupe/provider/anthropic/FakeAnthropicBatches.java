package dev.loupe.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.provider.fake.FakeBatchBook;
import dev.loupe.provider.fake.FakeBatches;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * The Message Batches half of {@link FakeAnthropicServer}, in its documented shapes: {@code POST
 * /v1/messages/batches} ({@code {"requests":[{"custom_id","params"}]}}; custom IDs checked against
 * {@code ^[a-zA-Z0-9_-]{1,64}$} and for uniqueness), {@code GET /v1/messages/batches[/{id}]},
 * {@code POST …/{id}/cancel} and {@code GET …/{id}/results} (JSONL, arbitrary order). Each line's
 * params are answered as a Messages request would be. A rejected create answers 400 {@code
 * invalid_request_error}; a quota refusal 429 {@code rate_limit_error}.
 */
public final class FakeAnthropicBatches implements FakeBatches {
  private static final Pattern CUSTOM_ID = Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");
  private static final String ROOT = "/v1/messages/batches";

  private final ObjectMapper json = new ObjectMapper();
  private final FakeBatchBook book;
  private final String baseUrl;

  FakeAnthropicBatches(
      String baseUrl,
      Function<JsonNode, FakeBatchBook.LineAnswer> answer,
      java.util.function.BiFunction<Integer, String, JsonNode> errorBody) {
    this.baseUrl = baseUrl;
    this.book = new FakeBatchBook("msgbatch_fake", line -> answer.apply(line.request()), errorBody);
  }

  boolean handles(String path) {
    return path.startsWith(ROOT);
  }

  MockResponse answer(RecordedRequest request) throws IOException {
    String path = request.getUrl().encodedPath();
    String method = request.getMethod();
    List<String> segments = request.getUrl().pathSegments();
    if ("POST".equals(method) && path.equals(ROOT)) {
      return create(json.readTree(request.getBody().utf8()));
    }
    if ("GET".equals(method) && path.equals(ROOT)) {
      int limit =
          Integer.parseInt(
              Optional.ofNullable(request.getUrl().queryParameter("limit")).orElse("20"));
      ObjectNode root = json.createObjectNode();
      ArrayNode data = root.putArray("data");
      for (FakeBatchBook.Batch batch : book.newest(limit)) {
        data.add(object(batch));
      }
      root.put("has_more", book.batchesCreated() > limit);
      return ok(root.toString());
    }
    if (segments.size() >= 4) {
      Optional<FakeBatchBook.Batch> found = book.get(segments.get(3));
      if (found.isEmpty()) {
        return error(404, "not_found_error", "batch not found: " + segments.get(3));
      }
      FakeBatchBook.Batch batch = found.get();
      if ("GET".equals(method) && segments.size() == 4) {
        return ok(object(book.poll(batch)).toString());
      }
      if ("POST".equals(method) && segments.size() == 5 && segments.get(4).equals("cancel")) {
        book.cancel(batch);
        return ok(object(batch).toString());
      }
      if ("GET".equals(method) && segments.size() == 5 && segments.get(4).equals("results")) {
        if (!batch.ended()) {
          return error(400, "invalid_request_error", "the batch is still processing");
        }
        return ok(results(batch));
      }
    }
    return error(404, "not_found_error", "Not found: " + method + " " + path + " (fake)");
  }

  private MockResponse create(JsonNode body) {
    JsonNode requests = body.path("requests");
    if (!requests.isArray() || requests.isEmpty()) {
      return error(400, "invalid_request_error", "requests: must be a non-empty array");
    }
    List<FakeBatchBook.Line> lines = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (JsonNode request : requests) {
      String id = request.path("custom_id").asText("");
      if (!CUSTOM_ID.matcher(id).matches() || !seen.add(id)) {
        return error(400, "invalid_request_error", "custom_id invalid or repeated: " + id);
      }
      if (!request.path("params").isObject()
          || request.path("params").path("max_tokens").asInt() < 1) {
        return error(400, "invalid_request_error", "params: max_tokens must be at least 1");
      }
      lines.add(new FakeBatchBook.Line(id, request.path("params")));
    }
    Optional<FakeBatchBook.Refusal> refusal = book.refusal();
    if (refusal.isPresent()) {
      return refusal.get().quota()
          ? error(429, "rate_limit_error", refusal.get().message())
          : error(400, "invalid_request_error", refusal.get().message());
    }
    return ok(object(book.create(null, lines)).toString());
  }

  private ObjectNode object(FakeBatchBook.Batch batch) {
    ObjectNode object = json.createObjectNode();
    object.put("id", batch.id);
    object.put("type", "message_batch");
    boolean ended = batch.ended();
    object.put(
        "processing_status",
        ended ? "ended" : batch.cancelRequested() ? "canceling" : "in_progress");
    ObjectNode counts = object.putObject("request_counts");
    int processing = ended ? 0 : batch.lines.size();
    int succeeded = 0;
    int errored = 0;
    int canceled = 0;
    int expired = 0;
    if (ended) {
      for (FakeBatchBook.Result result : batch.results()) {
        if (result.cancelled()) {
          canceled++;
        } else if (result.expired()) {
          expired++;
        } else if (result.answer().status() == 200) {
          succeeded++;
        } else {
          errored++;
        }
      }
    }
    counts.put("processing", processing);
    counts.put("succeeded", succeeded);
    counts.put("errored", errored);
    counts.put("canceled", canceled);
    counts.put("expired", expired);
    Instant created = Instant.ofEpochMilli(batch.createdAtMillis);
    object.put("created_at", created.toString());
    object.put("expires_at", created.plusSeconds(86_400).toString());
    if (ended) {
      object.put("ended_at", Instant.now().toString());
      object.put("results_url", baseUrl + ROOT + "/" + batch.id + "/results");
    } else {
      object.putNull("ended_at");
      object.putNull("results_url");
    }
    if (batch.cancelRequested()) {
      object.put("cancel_initiated_at", Instant.now().toString());
    } else {
      object.putNull("cancel_initiated_at");
    }
    object.putNull("archived_at");
    return object;
  }

  /** The results JSONL, in reverse order: Anthropic's order is arbitrary, readers join by ID. */
  private String results(FakeBatchBook.Batch batch) {
    StringBuilder out = new StringBuilder();
    List<FakeBatchBook.Result> results = new ArrayList<>(batch.results());
    java.util.Collections.reverse(results);
    for (FakeBatchBook.Result result : results) {
      ObjectNode line = json.createObjectNode();
      line.put("custom_id", result.customId());
      ObjectNode body = line.putObject("result");
      if (result.cancelled()) {
        body.put("type", "canceled");
      } else if (result.expired()) {
        body.put("type", "expired");
      } else if (result.answer().status() == 200) {
        body.put("type", "succeeded");
        body.set("message", result.answer().body());
      } else {
        body.put("type", "errored");
        body.set("error", result.answer().body());
      }
      out.append(line).append('\n');
    }
    return out.toString();
  }

  private MockResponse ok(String body) {
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  private MockResponse error(int status, String type, String message) {
    ObjectNode root = json.createObjectNode();
    root.put("type", "error");
    root.putObject("error").put("type", type).put("message", message);
    return new MockResponse.Builder()
        .code(status)
        .addHeader("Content-Type", "application/json")
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
