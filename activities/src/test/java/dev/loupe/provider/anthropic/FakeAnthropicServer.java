package dev.loupe.provider.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.provider.fake.FakeAnswers;
import dev.loupe.provider.fake.FakeRequest;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okio.Buffer;
import okio.ByteString;

/**
 * A fake Anthropic Messages API ({@code POST /v1/messages}): a real HTTP server on loopback that
 * speaks the wire format. Every request must carry {@code anthropic-version} (400 otherwise) and,
 * when the fake has a key, {@code x-api-key} (401 otherwise); its body is checked by {@link
 * FakeAnthropicRequests} and one that breaks the rules gets the API's 400 {@code
 * invalid_request_error} and is counted.
 *
 * <p>Answers are {@link FakeAnswers}' deterministic output: a text block, or, when {@code
 * tool_choice} forces a tool, a {@code tool_use} block whose input is the structured answer named
 * by the tool. Usage: the prompt is 100 tokens + a quarter of its characters + 1600 per image, of
 * which {@link #setCacheReadTokens} (0 at first) are reported as {@code cache_read_input_tokens}
 * and the rest as {@code input_tokens}. An image block marked with {@code cache_control} is a
 * prompt-cache prefix as the API treats it: its 1600 tokens are {@code cache_creation_input_tokens}
 * the first time the fake sees the image and {@code cache_read_input_tokens} after that. {@code
 * output_tokens} is a quarter of the answer's characters. The totals sum the answers that carried
 * content.
 *
 * <p>Failures are scripted with {@link #failNext} or {@link #setRule}; see {@link
 * FakeAnthropicReply}.
 */
public final class FakeAnthropicServer implements Closeable {
  public static final String MESSAGES_PATH = "/v1/messages";

  private static final String LOOPBACK = "127.0.0.1";
  private static final long IMAGE_TOKENS = 1600;

  private final MockWebServer server = new MockWebServer();
  private final String apiKey;
  private final ObjectMapper json = new ObjectMapper();
  private final FakeAnswers answers = new FakeAnswers("FakeAnthropicServer");
  private final AtomicInteger requestCount = new AtomicInteger();
  private final AtomicLong inputTokens = new AtomicLong();
  private final AtomicLong outputTokens = new AtomicLong();
  private final List<FakeRequest> requests = new CopyOnWriteArrayList<>();
  private final List<String> invalidRequests = new CopyOnWriteArrayList<>();
  private final Queue<FakeAnthropicReply> scripted = new ConcurrentLinkedQueue<>();
  private volatile Function<FakeRequest, Optional<FakeAnthropicReply>> rule =
      request -> Optional.empty();
  private volatile int cacheReadTokens;
  private final Set<String> cachedPrefixes = ConcurrentHashMap.newKeySet();

  /** Request sequence to whether its marked prefix was read (true) or written (false). */
  private final Map<Integer, Boolean> prefixRead = new ConcurrentHashMap<>();

  private FakeAnthropicBatches batches;

  private FakeAnthropicServer(String apiKey) {
    this.apiKey = apiKey;
    server.setDispatcher(new Handler());
  }

  /**
   * @param apiKey the key requests must carry in {@code x-api-key}, or null for none
   */
  public static FakeAnthropicServer start(String apiKey) throws IOException {
    FakeAnthropicServer fake = new FakeAnthropicServer(apiKey);
    fake.server.start(InetAddress.getByName(LOOPBACK), 0);
    fake.batches = new FakeAnthropicBatches(fake.baseUrl(), fake::answerLine, fake::errorBody);
    return fake;
  }

  /** The API root as the SDKs take it, e.g. {@code http://127.0.0.1:4711}. */
  public String baseUrl() {
    return "http://" + LOOPBACK + ":" + server.getPort();
  }

  /** The Message Batches API of this fake. */
  public FakeAnthropicBatches batches() {
    return batches;
  }

  /** Messages requests received, answered or not, valid or not. */
  public int requestCount() {
    return requestCount.get();
  }

  public int invalidRequestCount() {
    return invalidRequests.size();
  }

  /** Why each invalid request was rejected, in arrival order. */
  public List<String> invalidRequests() {
    return List.copyOf(invalidRequests);
  }

  /** The valid requests, in arrival order, whatever the answer was. */
  public List<FakeRequest> requests() {
    return List.copyOf(requests);
  }

  /** Sum of {@code input_tokens + cache_*_input_tokens} over the answers with content. */
  public long totalInputTokens() {
    return inputTokens.get();
  }

  /** Sum of {@code output_tokens} over the answers with content. */
  public long totalOutputTokens() {
    return outputTokens.get();
  }

  /** How many of each answer's input tokens are reported as read from the prompt cache. */
  public void setCacheReadTokens(int tokens) {
    this.cacheReadTokens = tokens;
  }

  /** The next {@code count} valid requests get {@code reply}, before any rule is consulted. */
  public void failNext(int count, FakeAnthropicReply reply) {
    for (int i = 0; i < count; i++) {
      scripted.add(reply);
    }
  }

  /** Consulted for every valid request not taken by {@link #failNext}; empty means normal. */
  public void setRule(Function<FakeRequest, Optional<FakeAnthropicReply>> rule) {
    this.rule = rule;
  }

  /** The answers' generator, to set verdicts, question counts or teach schemas. */
  public FakeAnswers answers() {
    return answers;
  }

  @Override
  public void close() {
    server.close();
  }

  private final class Handler extends Dispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
      // MockWebServer keeps every request for takeRequest(); the fake keeps summaries instead.
      while (server.takeRequest(0, TimeUnit.NANOSECONDS) != null) {
        // drained
      }
      try {
        return answer(request);
      } catch (RuntimeException e) {
        return error(500, "api_error", "fake server bug: " + e, null, Map.of());
      }
    }
  }

  private MockResponse answer(RecordedRequest request) {
    String path = request.getUrl().encodedPath();
    if (batches.handles(path)) {
      if (apiKey != null && !apiKey.equals(request.getHeaders().get("x-api-key"))) {
        return error(401, "authentication_error", "invalid x-api-key (fake)", null, Map.of());
      }
      try {
        return batches.answer(request);
      } catch (java.io.IOException e) {
        return error(400, "invalid_request_error", "the body is not JSON: " + e, null, Map.of());
      }
    }
    if (!"POST".equals(request.getMethod()) || !MESSAGES_PATH.equals(path)) {
      return error(404, "not_found_error", "Not found: " + path + " (fake)", null, Map.of());
    }
    int sequence = requestCount.incrementAndGet();
    if (apiKey != null && !apiKey.equals(request.getHeaders().get("x-api-key"))) {
      return error(401, "authentication_error", "invalid x-api-key (fake)", null, Map.of());
    }
    if (request.getHeaders().get("anthropic-version") == null) {
      return invalid(sequence, List.of("anthropic-version: header is required"));
    }
    ByteString bytes = request.getBody();
    JsonNode body;
    try {
      body = json.readTree(bytes == null ? "" : bytes.utf8());
    } catch (JsonProcessingException e) {
      body = null;
    }
    if (body == null || !body.isObject()) {
      return invalid(sequence, List.of("the body is not a JSON object"));
    }
    List<String> violations = FakeAnthropicRequests.violations(body);
    if (!violations.isEmpty()) {
      return invalid(sequence, violations);
    }
    FakeRequest seen = FakeAnthropicRequests.describe(sequence, body);
    requests.add(seen);
    String marked = FakeAnthropicRequests.cachedImageDigest(body);
    if (marked != null) {
      prefixRead.put(sequence, !cachedPrefixes.add(marked));
    }
    FakeAnthropicReply reply = scripted.poll();
    if (reply == null) {
      reply = rule.apply(seen).orElse(null);
    }
    return reply(seen, reply);
  }

  /** A batch line's params, answered as a Messages request is (the request checks included). */
  private dev.loupe.provider.fake.FakeBatchBook.LineAnswer answerLine(JsonNode params) {
    int sequence = requestCount.incrementAndGet();
    List<String> violations = FakeAnthropicRequests.violations(params);
    if (!violations.isEmpty()) {
      return dev.loupe.provider.fake.FakeLineAnswers.of(invalid(sequence, violations));
    }
    FakeRequest seen = FakeAnthropicRequests.describe(sequence, params);
    requests.add(seen);
    return dev.loupe.provider.fake.FakeLineAnswers.of(normal(seen, null));
  }

  /** The error envelope of an HTTP status, for a batch line made to fail. */
  private JsonNode errorBody(int status, String message) {
    String type =
        switch (status) {
          case 400 -> "invalid_request_error";
          case 429 -> "rate_limit_error";
          case 529 -> "overloaded_error";
          default -> "api_error";
        };
    return dev.loupe.provider.fake.FakeLineAnswers.of(error(status, type, message, null, Map.of()))
        .body();
  }

  private MockResponse invalid(int sequence, List<String> violations) {
    String reasons = String.join("; ", violations);
    invalidRequests.add("request " + sequence + ": " + reasons);
    return error(400, "invalid_request_error", reasons, null, Map.of());
  }

  private MockResponse reply(FakeRequest seen, FakeAnthropicReply reply) {
    return switch (reply) {
      case null -> normal(seen, null);
      case FakeAnthropicReply.HttpError e ->
          error(e.status(), e.type(), e.message(), e.errorCode(), e.headers());
      case FakeAnthropicReply.Refusal r ->
          send(message(seen, textBlocks(r.text()), "refusal", r.text()).json());
      case FakeAnthropicReply.Content c -> normal(seen, c.text());
      case FakeAnthropicReply.MalformedBody m -> send("upstream connect error (fake, not JSON)");
      case FakeAnthropicReply.TruncatedBody t -> truncated(seen);
      case FakeAnthropicReply.Delayed d ->
          new MockResponse.Builder(reply(seen, d.then()))
              .headersDelay(d.delay().toMillis(), TimeUnit.MILLISECONDS)
              .build();
    };
  }

  private MockResponse normal(FakeRequest seen, String scriptedText) {
    Optional<Message> message = answer(seen, scriptedText);
    if (message.isEmpty()) {
      return invalid(
          seen.sequence(),
          List.of(
              "the fake has no answer for tool '"
                  + seen.schemaName()
                  + "'; teach it with answers().answerSchema(), it knows "
                  + answers.knownSchemas()));
    }
    inputTokens.addAndGet(message.get().inputTokens());
    outputTokens.addAndGet(message.get().outputTokens());
    return send(message.get().json());
  }

  private Optional<Message> answer(FakeRequest seen, String scriptedText) {
    if (scriptedText != null || !seen.structured()) {
      String text = scriptedText != null ? scriptedText : answers.content(seen).orElseThrow();
      return Optional.of(message(seen, textBlocks(text), "end_turn", text));
    }
    return answers
        .content(seen)
        .map(
            input -> {
              ArrayNode content = json.createArrayNode();
              ObjectNode call = content.addObject();
              call.put("type", "tool_use");
              call.put("id", "toolu_fake_" + seen.sequence());
              call.put("name", seen.schemaName());
              try {
                call.set("input", json.readTree(input));
              } catch (JsonProcessingException e) {
                throw new IllegalStateException("a taught answer is not JSON: " + input, e);
              }
              return message(seen, content, "tool_use", input);
            });
  }

  private record Message(String json, long inputTokens, long outputTokens) {}

  private Message message(FakeRequest seen, ArrayNode content, String stopReason, String output) {
    long prompt = promptTokens(seen);
    Boolean read = prefixRead.get(seen.sequence());
    long cached = read == null ? Math.min(prompt, cacheReadTokens) : read ? IMAGE_TOKENS : 0;
    long written = Boolean.FALSE.equals(read) ? IMAGE_TOKENS : 0;
    long completion = output.length() / 4;
    ObjectNode root = json.createObjectNode();
    root.put("id", "msg_fake_" + seen.sequence());
    root.put("type", "message");
    root.put("role", "assistant");
    root.put("model", seen.model());
    root.set("content", content);
    root.put("stop_reason", stopReason);
    root.putNull("stop_sequence");
    ObjectNode usage = root.putObject("usage");
    usage.put("input_tokens", prompt - cached - written);
    usage.put("output_tokens", completion);
    usage.put("cache_creation_input_tokens", written);
    usage.put("cache_read_input_tokens", cached);
    usage.put("service_tier", "standard");
    return new Message(root.toString(), prompt, completion);
  }

  private ArrayNode textBlocks(String text) {
    ArrayNode content = json.createArrayNode();
    content.addObject().put("type", "text").put("text", text);
    return content;
  }

  private MockResponse truncated(FakeRequest seen) {
    byte[] bytes =
        answer(seen, null)
            .map(Message::json)
            .orElse("{\"type\":\"message\"}")
            .getBytes(StandardCharsets.UTF_8);
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/json")
        .addHeader("request-id", "req_fake_" + seen.sequence())
        .body(new Buffer().write(bytes, 0, bytes.length / 2))
        .setHeader("Content-Length", bytes.length)
        .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE)
        .build();
  }

  static long promptTokens(FakeRequest seen) {
    int characters =
        (seen.system() == null ? 0 : seen.system().length())
            + (seen.text() == null ? 0 : seen.text().length());
    return 100 + characters / 4 + (seen.hasImage() ? IMAGE_TOKENS : 0);
  }

  private MockResponse send(String body) {
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/json")
        .addHeader("request-id", "req_fake_" + requestCount.get())
        .body(body)
        .build();
  }

  private MockResponse error(
      int status, String type, String message, String errorCode, Map<String, String> headers) {
    ObjectNode root = json.createObjectNode();
    root.put("type", "error");
    ObjectNode error = root.putObject("error");
    error.put("type", type);
    error.put("message", message);
    if (errorCode != null) {
      error.putObject("details").put("error_code", errorCode);
    }
    root.put("request_id", "req_fake_" + requestCount.get());
    MockResponse.Builder response =
        new MockResponse.Builder()
            .code(status)
            .addHeader("Content-Type", "application/json")
            .addHeader("request-id", "req_fake_" + requestCount.get())
            .body(root.toString());
    headers.forEach(response::addHeader);
    return response.build();
  }
}
