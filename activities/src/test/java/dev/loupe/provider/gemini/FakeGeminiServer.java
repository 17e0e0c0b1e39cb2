package dev.loupe.provider.gemini;

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
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okio.Buffer;
import okio.ByteString;

/**
 * A fake Gemini API ({@code POST /v1beta/models/{model}:generateContent}): a real HTTP server on
 * loopback that speaks the wire format. Every request is checked against what the REST reference
 * allows ({@link FakeGeminiRequests}); one that breaks it gets the API's 400 {@code
 * INVALID_ARGUMENT} and is counted. With a key, {@code x-goog-api-key} is required: missing is 403
 * {@code PERMISSION_DENIED}, wrong is 400 with {@code ErrorInfo.reason API_KEY_INVALID}.
 *
 * <p>Answers are {@link FakeAnswers}' deterministic output. Gemini schemas have no name, so the
 * fake names one by its properties: {@code questions} if it has that property, {@code verdict} if
 * it has {@code meaningful}, else its top-level property names sorted and joined by commas. Usage:
 * {@code promptTokenCount} is 100 + a quarter of the prompt's characters + 258 per image, {@code
 * candidatesTokenCount} a quarter of the answer's characters, {@code thoughtsTokenCount} what
 * {@link #setThoughtsTokens} says (0 at first), {@code cachedContentTokenCount} an image's 258 when
 * an earlier request had the same image (implicit caching); the totals sum the answers that carried
 * content.
 *
 * <p>Failures are scripted with {@link #failNext} or {@link #setRule}; see {@link FakeGeminiReply}.
 */
public final class FakeGeminiServer implements Closeable {
  private static final String LOOPBACK = "127.0.0.1";
  private static final Pattern GENERATE_PATH =
      Pattern.compile("/(v1beta|v1)/models/([^/:]+):generateContent");
  private static final long IMAGE_TOKENS = 258;

  private final MockWebServer server = new MockWebServer();
  private final String apiKey;
  private final ObjectMapper json = new ObjectMapper();
  private final FakeAnswers answers = new FakeAnswers("FakeGeminiServer");
  private final AtomicInteger requestCount = new AtomicInteger();
  private final AtomicLong promptTokens = new AtomicLong();
  private final Set<String> seenImages = ConcurrentHashMap.newKeySet();
  private final AtomicLong outputTokens = new AtomicLong();
  private final List<FakeRequest> requests = new CopyOnWriteArrayList<>();
  private final List<String> invalidRequests = new CopyOnWriteArrayList<>();
  private final Queue<FakeGeminiReply> scripted = new ConcurrentLinkedQueue<>();
  private volatile Function<FakeRequest, Optional<FakeGeminiReply>> rule =
      request -> Optional.empty();
  private volatile int thoughtsTokens;

  private FakeGeminiBatches batches;

  private FakeGeminiServer(String apiKey) {
    this.apiKey = apiKey;
    server.setDispatcher(new Handler());
  }

  /**
   * @param apiKey the key requests must carry in {@code x-goog-api-key}, or null for none
   */
  public static FakeGeminiServer start(String apiKey) throws IOException {
    FakeGeminiServer fake = new FakeGeminiServer(apiKey);
    fake.server.start(InetAddress.getByName(LOOPBACK), 0);
    fake.batches = new FakeGeminiBatches(fake.baseUrl(), fake::answerLine, fake::errorBody);
    return fake;
  }

  /** The API root with its version, e.g. {@code http://127.0.0.1:4711/v1beta}. */
  public String baseUrl() {
    return "http://" + LOOPBACK + ":" + server.getPort() + "/v1beta";
  }

  /** The Batch Mode and Files API of this fake. */
  public FakeGeminiBatches batches() {
    return batches;
  }

  /** {@code generateContent} requests received, answered or not, valid or not. */
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

  /** Sum of {@code promptTokenCount} over the answers with content. */
  public long totalPromptTokens() {
    return promptTokens.get();
  }

  /** Sum of {@code candidatesTokenCount + thoughtsTokenCount} over the answers with content. */
  public long totalOutputTokens() {
    return outputTokens.get();
  }

  /** {@code thoughtsTokenCount} of each answer from now on, as a thinking model reports it. */
  public void setThoughtsTokens(int tokens) {
    this.thoughtsTokens = tokens;
  }

  /** The next {@code count} valid requests get {@code reply}, before any rule is consulted. */
  public void failNext(int count, FakeGeminiReply reply) {
    for (int i = 0; i < count; i++) {
      scripted.add(reply);
    }
  }

  /** Consulted for every valid request not taken by {@link #failNext}; empty means normal. */
  public void setRule(Function<FakeRequest, Optional<FakeGeminiReply>> rule) {
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
        return error(500, "INTERNAL", "fake server bug: " + e, List.of(), Map.of());
      }
    }
  }

  private MockResponse answer(RecordedRequest request) {
    String path = request.getUrl().encodedPath();
    if (batches.handles(path)) {
      Optional<MockResponse> denied = checkKey(request);
      if (denied.isPresent()) {
        return denied.get();
      }
      try {
        return batches.answer(request);
      } catch (java.io.IOException e) {
        return error(400, "INVALID_ARGUMENT", "the body is not JSON: " + e, List.of(), Map.of());
      }
    }
    Matcher generate = GENERATE_PATH.matcher(path);
    if (!"POST".equals(request.getMethod()) || !generate.matches()) {
      return error(
          404,
          "NOT_FOUND",
          "The requested URL " + path + " was not found on this server (fake).",
          List.of(),
          Map.of());
    }
    int sequence = requestCount.incrementAndGet();
    Optional<MockResponse> denied = checkKey(request);
    if (denied.isPresent()) {
      return denied.get();
    }
    ByteString bytes = request.getBody();
    JsonNode body;
    try {
      body = json.readTree(bytes == null ? "" : bytes.utf8());
    } catch (JsonProcessingException e) {
      body = null;
    }
    List<String> violations =
        body == null || !body.isObject()
            ? List.of("Invalid JSON payload received: the body is not a JSON object.")
            : FakeGeminiRequests.violations(body);
    if (!violations.isEmpty()) {
      String reasons = String.join("; ", violations);
      invalidRequests.add("request " + sequence + ": " + reasons);
      return error(400, "INVALID_ARGUMENT", reasons, List.of(), Map.of());
    }
    FakeRequest seen = FakeGeminiRequests.describe(sequence, generate.group(2), body);
    requests.add(seen);
    FakeGeminiReply reply = scripted.poll();
    if (reply == null) {
      reply = rule.apply(seen).orElse(null);
    }
    return reply(seen, reply);
  }

  /** A batch line's request, answered as a generateContent request is (its checks included). */
  private dev.loupe.provider.fake.FakeBatchBook.LineAnswer answerLine(String model, JsonNode body) {
    int sequence = requestCount.incrementAndGet();
    List<String> violations = FakeGeminiRequests.violations(body);
    if (!violations.isEmpty()) {
      String reasons = String.join("; ", violations);
      invalidRequests.add("batch line " + sequence + ": " + reasons);
      return dev.loupe.provider.fake.FakeLineAnswers.of(
          error(400, "INVALID_ARGUMENT", reasons, List.of(), Map.of()));
    }
    FakeRequest seen = FakeGeminiRequests.describe(sequence, model, body);
    requests.add(seen);
    return dev.loupe.provider.fake.FakeLineAnswers.of(normal(seen, null));
  }

  /** The error body of an HTTP status, for a batch line made to fail. */
  private JsonNode errorBody(int status, String message) {
    String name =
        switch (status) {
          case 400 -> "INVALID_ARGUMENT";
          case 429 -> "RESOURCE_EXHAUSTED";
          case 503 -> "UNAVAILABLE";
          default -> "INTERNAL";
        };
    return dev.loupe.provider.fake.FakeLineAnswers.of(
            error(status, name, message, List.of(), Map.of()))
        .body();
  }

  private Optional<MockResponse> checkKey(RecordedRequest request) {
    if (apiKey == null) {
      return Optional.empty();
    }
    String sent = request.getHeaders().get("x-goog-api-key");
    if (sent == null) {
      sent = request.getUrl().queryParameter("key");
    }
    if (sent == null) {
      return Optional.of(
          error(
              403,
              "PERMISSION_DENIED",
              "Method doesn't allow unregistered callers (callers without established identity)."
                  + " Please use API Key or other form of API consumer identity to call this API.",
              List.of(),
              Map.of()));
    }
    if (!apiKey.equals(sent)) {
      return Optional.of(
          error(
              400,
              "INVALID_ARGUMENT",
              "API key not valid. Please pass a valid API key.",
              List.of(
                  "{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\","
                      + "\"reason\":\"API_KEY_INVALID\",\"domain\":\"googleapis.com\"}"),
              Map.of()));
    }
    return Optional.empty();
  }

  private MockResponse reply(FakeRequest seen, FakeGeminiReply reply) {
    return switch (reply) {
      case null -> normal(seen, null);
      case FakeGeminiReply.HttpError e ->
          error(e.code(), e.status(), e.message(), e.details(), e.headers());
      case FakeGeminiReply.PromptBlocked b -> send(promptBlocked(seen, b.blockReason()));
      case FakeGeminiReply.OutputBlocked b -> send(outputBlocked(seen, b.finishReason()));
      case FakeGeminiReply.Content c -> normal(seen, c.text());
      case FakeGeminiReply.MalformedBody m -> send("<html><body>not JSON (fake)</body></html>");
      case FakeGeminiReply.TruncatedBody t -> truncated(seen);
      case FakeGeminiReply.Delayed d ->
          new MockResponse.Builder(reply(seen, d.then()))
              .headersDelay(d.delay().toMillis(), TimeUnit.MILLISECONDS)
              .build();
    };
  }

  private MockResponse normal(FakeRequest seen, String scriptedText) {
    Optional<String> text =
        scriptedText != null ? Optional.of(scriptedText) : answers.content(seen);
    if (text.isEmpty()) {
      return error(
          400,
          "INVALID_ARGUMENT",
          "The fake has no answer for schema '"
              + seen.schemaName()
              + "'; teach it with answers().answerSchema(), it knows "
              + answers.knownSchemas(),
          List.of(),
          Map.of());
    }
    Answer answer = answer(seen, text.get());
    promptTokens.addAndGet(answer.promptTokens());
    outputTokens.addAndGet(answer.outputTokens());
    return send(answer.json());
  }

  private record Answer(String json, long promptTokens, long outputTokens) {}

  private Answer answer(FakeRequest seen, String text) {
    long prompt = promptTokens(seen);
    long candidates = text.length() / 4;
    long thoughts = thoughtsTokens;
    ObjectNode root = json.createObjectNode();
    ObjectNode candidate = root.putArray("candidates").addObject();
    ObjectNode content = candidate.putObject("content");
    content.put("role", "model");
    ArrayNode parts = content.putArray("parts");
    if (thoughts > 0) {
      parts.addObject().put("text", "[fake] thinking about it").put("thought", true);
    }
    parts.addObject().put("text", text);
    candidate.put("finishReason", "STOP");
    candidate.put("index", 0);
    ObjectNode usage = usage(root, prompt);
    if (seen.hasImage() && !seenImages.add(seen.imageDigest())) {
      // Implicit caching: a later request that starts with the same image reads it from cache.
      usage.put("cachedContentTokenCount", IMAGE_TOKENS);
    }
    usage.put("candidatesTokenCount", candidates);
    if (thoughts > 0) {
      usage.put("thoughtsTokenCount", thoughts);
    }
    usage.put("totalTokenCount", prompt + candidates + thoughts);
    return new Answer(root.toString(), prompt, candidates + thoughts);
  }

  private String promptBlocked(FakeRequest seen, String reason) {
    ObjectNode root = json.createObjectNode();
    ObjectNode feedback = root.putObject("promptFeedback");
    feedback.put("blockReason", reason);
    feedback
        .putArray("safetyRatings")
        .addObject()
        .put("category", "HARM_CATEGORY_DANGEROUS_CONTENT")
        .put("probability", "HIGH");
    usage(root, promptTokens(seen)).put("totalTokenCount", promptTokens(seen));
    return root.toString();
  }

  private String outputBlocked(FakeRequest seen, String finishReason) {
    ObjectNode root = json.createObjectNode();
    ObjectNode candidate = root.putArray("candidates").addObject();
    candidate.put("finishReason", finishReason);
    candidate.put("index", 0);
    usage(root, promptTokens(seen)).put("totalTokenCount", promptTokens(seen));
    return root.toString();
  }

  private ObjectNode usage(ObjectNode root, long prompt) {
    root.put("modelVersion", "fake-gemini-001");
    root.put("responseId", "fake-" + requestCount.get());
    ObjectNode usage = root.putObject("usageMetadata");
    usage.put("promptTokenCount", prompt);
    return usage;
  }

  private MockResponse truncated(FakeRequest seen) {
    byte[] bytes =
        answer(seen, answers.content(seen).orElse("[fake]"))
            .json()
            .getBytes(StandardCharsets.UTF_8);
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/json; charset=UTF-8")
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

  private static MockResponse send(String body) {
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/json; charset=UTF-8")
        .body(body)
        .build();
  }

  private MockResponse error(
      int code, String status, String message, List<String> details, Map<String, String> headers) {
    ObjectNode root = json.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("code", code);
    error.put("message", message);
    error.put("status", status);
    if (!details.isEmpty()) {
      ArrayNode list = error.putArray("details");
      for (String detail : details) {
        try {
          list.add(json.readTree(detail));
        } catch (JsonProcessingException e) {
          throw new IllegalArgumentException("detail is not JSON: " + detail, e);
        }
      }
    }
    MockResponse.Builder response =
        new MockResponse.Builder()
            .code(code)
            .addHeader("Content-Type", "application/json; charset=UTF-8")
            .body(root.toString());
    headers.forEach(response::addHeader);
    return response.build();
  }

  /** The name the fake gives a schema (see the class comment). */
  static String schemaName(JsonNode schema) {
    JsonNode properties = schema.path("properties");
    if (properties.has("questions")) {
      return "questions";
    }
    if (properties.has("meaningful")) {
      return "verdict";
    }
    TreeSet<String> names = new TreeSet<>();
    properties.fieldNames().forEachRemaining(names::add);
    return String.join(",", names);
  }
}
