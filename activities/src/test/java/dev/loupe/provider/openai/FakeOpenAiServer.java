package dev.loupe.provider.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.provider.fake.FakeAnswers;
import dev.loupe.provider.fake.FakeRequest;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
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
 * A fake OpenAI Chat Completions endpoint: a real HTTP server on loopback that speaks the wire
 * format, for tests and for trying Loupe without a key. Every request is checked against the
 * official spec's {@code CreateChatCompletionRequest} (a request that fails gets a 400 and is
 * counted) and, when the fake was given a key, for {@code Authorization: Bearer <key>} (401
 * otherwise).
 *
 * <p>Answers are the deterministic output of {@link FakeAnswers}, marked {@code [fake]}, with
 * structured output chosen by the {@code json_schema} name. Usage is deterministic too: prompt
 * tokens are 100 + a quarter of the prompt's characters (+85 with an image), completion tokens a
 * quarter of the output's; the image's 85 are {@code prompt_tokens_details.cached_tokens} when an
 * earlier request had the same image (automatic prompt caching); {@link #totalPromptTokens()} and
 * {@link #totalCompletionTokens()} sum what the fake reported in complete answers.
 *
 * <p>Failures are scripted with {@link #failNext} (the next n requests) or {@link #setRule} (any
 * request that matches); see {@link FakeReply}. Run {@link #main} to serve on a port until killed.
 */
public final class FakeOpenAiServer implements Closeable {
  public static final String CHAT_COMPLETIONS_PATH = "/v1/chat/completions";

  private static final String LOOPBACK = "127.0.0.1";
  private static final Set<String> INSTRUCTION_ROLES = Set.of("system", "developer");
  private static final int MAX_REPORTED_VIOLATIONS = 5;

  private final MockWebServer server = new MockWebServer();
  private final String apiKey;
  private final OpenAiSpec spec = OpenAiSpec.load();
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicInteger requestCount = new AtomicInteger();

  /** A low-detail image tile. */
  private static final long IMAGE_TOKENS = 85;

  private final AtomicLong promptTokens = new AtomicLong();
  private final Set<String> seenImages = ConcurrentHashMap.newKeySet();
  private final AtomicLong completionTokens = new AtomicLong();
  private final List<FakeRequest> requests = new CopyOnWriteArrayList<>();
  private final List<String> invalidRequests = new CopyOnWriteArrayList<>();
  private final Queue<FakeReply> scripted = new ConcurrentLinkedQueue<>();
  private final FakeAnswers answers = new FakeAnswers("FakeOpenAiServer");
  private volatile Function<FakeRequest, Optional<FakeReply>> rule = request -> Optional.empty();
  private final FakeOpenAiBatches batches = new FakeOpenAiBatches(this::answerLine);

  private FakeOpenAiServer(String apiKey) {
    this.apiKey = apiKey;
    batches.requireKey(apiKey);
    server.setDispatcher(new Handler());
  }

  /** The Batch API: its scripted fates and its counters of lines received. */
  public FakeOpenAiBatches batches() {
    return batches;
  }

  /** A fake on a free loopback port that requires no key. */
  public static FakeOpenAiServer start() throws IOException {
    return start(0, null);
  }

  /**
   * @param port the port, or 0 for a free one
   * @param apiKey the bearer key requests must carry, or null to accept any or none
   */
  public static FakeOpenAiServer start(int port, String apiKey) throws IOException {
    FakeOpenAiServer fake = new FakeOpenAiServer(apiKey);
    fake.server.start(InetAddress.getByName(LOOPBACK), port);
    return fake;
  }

  /**
   * Serves on the port given as the first argument (default: a free one) until killed, printing
   * {@code FAKE_OPENAI_BASE_URL=http://127.0.0.1:<port>/v1}; requires the key in {@code
   * FAKE_OPENAI_API_KEY} when that is set. From a checkout: {@code ./mvnw -pl activities
   * test-compile exec:java -Dexec.classpathScope=test
   * -Dexec.mainClass=dev.loupe.provider.openai.FakeOpenAiServer -Dexec.args=8089}.
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    String key = System.getenv("FAKE_OPENAI_API_KEY");
    FakeOpenAiServer fake = start(port, key == null || key.isBlank() ? null : key);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  fake.close();
                  stopped.countDown();
                }));
    System.out.println("FAKE_OPENAI_BASE_URL=" + fake.baseUrl());
    System.out.flush();
    stopped.await();
  }

  /** The API root to configure as the client's base URL, e.g. {@code http://127.0.0.1:4711/v1}. */
  public String baseUrl() {
    return "http://" + LOOPBACK + ":" + server.getPort() + "/v1";
  }

  public int port() {
    return server.getPort();
  }

  /** Chat Completions requests received, answered or not, valid or not. */
  public int requestCount() {
    return requestCount.get();
  }

  /** Requests that failed spec validation or did not parse, answered with 400. */
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

  /** Sum of {@code usage.prompt_tokens} over the complete answers sent. */
  public long totalPromptTokens() {
    return promptTokens.get();
  }

  /** Sum of {@code usage.completion_tokens} over the complete answers sent. */
  public long totalCompletionTokens() {
    return completionTokens.get();
  }

  /** The next {@code count} valid requests get {@code reply}, before any rule is consulted. */
  public void failNext(int count, FakeReply reply) {
    for (int i = 0; i < count; i++) {
      scripted.add(reply);
    }
  }

  /** Consulted for every valid request not taken by {@link #failNext}; empty means normal. */
  public void setRule(Function<FakeRequest, Optional<FakeReply>> rule) {
    this.rule = rule;
  }

  /** What {@code verdict} calls answer from now on (initially both true). */
  public void setVerdict(boolean meaningful, boolean correct) {
    answers.setVerdict(meaningful, correct);
  }

  /** How many questions {@code questions} calls get; 0 (initially) reads it from the prompt. */
  public void setQuestionCount(int count) {
    answers.setQuestionCount(count);
  }

  /** Teaches or replaces the JSON content answered for a {@code json_schema} name. */
  public void answerSchema(String name, Function<FakeRequest, String> answer) {
    answers.answerSchema(name, answer);
  }

  @Override
  public void close() {
    server.close();
  }

  private final class Handler extends Dispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
      // MockWebServer keeps every request (images included) for takeRequest(); the fake keeps
      // its own summaries instead, so long runs stay small.
      while (server.takeRequest(0, TimeUnit.NANOSECONDS) != null) {
        // drained
      }
      try {
        return answer(request);
      } catch (RuntimeException e) {
        return error(500, "server_error", null, "fake server bug: " + e, Map.of());
      }
    }
  }

  private MockResponse answer(RecordedRequest request) {
    String path = request.getUrl().encodedPath();
    if (batches.handles(path)) {
      try {
        return batches.answer(request);
      } catch (java.io.IOException e) {
        return error(
            400, "invalid_request_error", null, "unreadable batch request: " + e, Map.of());
      }
    }
    if ("GET".equals(request.getMethod()) && "/v1/models".equals(path)) {
      return models();
    }
    if (!"POST".equals(request.getMethod()) || !CHAT_COMPLETIONS_PATH.equals(path)) {
      return error(
          404,
          "invalid_request_error",
          "unknown_url",
          "Unrecognized request URL (" + request.getMethod() + " " + path + ").",
          Map.of());
    }
    int sequence = requestCount.incrementAndGet();
    if (apiKey != null && !("Bearer " + apiKey).equals(request.getHeaders().get("Authorization"))) {
      return error(
          401,
          "invalid_request_error",
          "invalid_api_key",
          "Incorrect API key provided (fake server).",
          Map.of());
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
    List<String> violations = spec.requestViolations(body);
    if (!violations.isEmpty()) {
      return invalid(sequence, violations);
    }
    FakeRequest seen = describe(sequence, body);
    requests.add(seen);
    FakeReply reply = scripted.poll();
    if (reply == null) {
      reply = rule.apply(seen).orElse(null);
    }
    return reply(seen, reply);
  }

  /** A batch line's body, answered as a Chat Completions request is (the spec check included). */
  private FakeOpenAiBatches.Answer answerLine(JsonNode body) {
    int sequence = requestCount.incrementAndGet();
    List<String> violations = spec.requestViolations(body);
    if (!violations.isEmpty()) {
      invalidRequests.add("batch line " + sequence + ": " + String.join("; ", violations));
      return new FakeOpenAiBatches.Answer(400, errorJson("Invalid request body: " + violations));
    }
    FakeRequest seen = describe(sequence, body);
    requests.add(seen);
    Optional<String> content = answers.content(seen);
    if (content.isEmpty()) {
      return new FakeOpenAiBatches.Answer(
          400, errorJson("The fake has no answer for json_schema '" + seen.schemaName() + "'"));
    }
    Completion completion = completion(seen, content.get(), null, "stop");
    promptTokens.addAndGet(completion.promptTokens());
    completionTokens.addAndGet(completion.completionTokens());
    try {
      return new FakeOpenAiBatches.Answer(200, json.readTree(completion.json()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode errorJson(String message) {
    ObjectNode root = json.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", "invalid_request_error");
    error.putNull("param");
    error.putNull("code");
    return root;
  }

  private MockResponse invalid(int sequence, List<String> violations) {
    String reasons =
        String.join(
            "; ", violations.subList(0, Math.min(violations.size(), MAX_REPORTED_VIOLATIONS)));
    invalidRequests.add("request " + sequence + ": " + reasons);
    return error(
        400,
        "invalid_request_error",
        null,
        "Invalid request body (the fake checks CreateChatCompletionRequest): " + reasons,
        Map.of());
  }

  private MockResponse reply(FakeRequest seen, FakeReply reply) {
    return switch (reply) {
      case null -> normal(seen);
      case FakeReply.HttpError e -> error(e.status(), e.type(), e.code(), e.message(), e.headers());
      case FakeReply.Refusal r -> send(completion(seen, null, r.refusal(), "stop"));
      case FakeReply.ContentFilter c -> send(completion(seen, null, null, "content_filter"));
      case FakeReply.Content c -> send(completion(seen, c.content(), null, "stop"));
      case FakeReply.TruncatedBody t -> truncated(seen);
      case FakeReply.Garbage g ->
          new MockResponse.Builder()
              .code(200)
              .addHeader("Content-Type", "application/json")
              .body(g.body())
              .build();
      case FakeReply.Delayed d ->
          new MockResponse.Builder(reply(seen, d.then()))
              .headersDelay(d.delay().toMillis(), TimeUnit.MILLISECONDS)
              .build();
    };
  }

  private MockResponse normal(FakeRequest seen) {
    Optional<String> content = answers.content(seen);
    if (content.isEmpty()) {
      return error(
          400,
          "invalid_request_error",
          null,
          "The fake has no answer for json_schema '"
              + seen.schemaName()
              + "'; teach it with answerSchema(), it knows "
              + answers.knownSchemas(),
          Map.of());
    }
    return send(completion(seen, content.get(), null, "stop"));
  }

  private MockResponse truncated(FakeRequest seen) {
    Completion whole = completion(seen, answers.content(seen).orElse("[fake]"), null, "stop");
    byte[] bytes = whole.json().getBytes(StandardCharsets.UTF_8);
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/json")
        .addHeader("x-request-id", "req_fake_" + seen.sequence())
        .body(new Buffer().write(bytes, 0, bytes.length / 2))
        .setHeader("Content-Length", bytes.length)
        .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE)
        .build();
  }

  /** Counts the usage of an answer that goes out whole. */
  private MockResponse send(Completion completion) {
    promptTokens.addAndGet(completion.promptTokens());
    completionTokens.addAndGet(completion.completionTokens());
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/json")
        .addHeader("x-request-id", "req_fake_" + completion.sequence())
        .body(completion.json())
        .build();
  }

  private record Completion(int sequence, String json, long promptTokens, long completionTokens) {}

  private Completion completion(
      FakeRequest seen, String content, String refusal, String finishReason) {
    long prompt = promptTokens(seen);
    String output = content != null ? content : refusal != null ? refusal : "";
    long completion = output.length() / 4;
    ObjectNode root = json.createObjectNode();
    root.put("id", "chatcmpl-fake-" + seen.sequence());
    root.put("object", "chat.completion");
    root.put("created", 1_767_225_600L + seen.sequence());
    root.put("model", seen.model());
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", content);
    message.put("refusal", refusal);
    message.putArray("annotations");
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    ObjectNode usage = root.putObject("usage");
    usage.put("prompt_tokens", prompt);
    usage.put("completion_tokens", completion);
    usage.put("total_tokens", prompt + completion);
    // Automatic prompt caching: a request that starts with an image seen before reads it cached.
    boolean prefixSeen = seen.hasImage() && !seenImages.add(seen.imageDigest());
    usage.putObject("prompt_tokens_details").put("cached_tokens", prefixSeen ? IMAGE_TOKENS : 0);
    root.put("service_tier", seen.serviceTier() == null ? "default" : seen.serviceTier());
    return new Completion(seen.sequence(), root.toString(), prompt, completion);
  }

  /** 100 + a quarter of the prompt's characters, + 85 for an image (a low-detail tile). */
  static long promptTokens(FakeRequest seen) {
    int characters =
        (seen.system() == null ? 0 : seen.system().length())
            + (seen.text() == null ? 0 : seen.text().length());
    return 100 + characters / 4 + (seen.hasImage() ? IMAGE_TOKENS : 0);
  }

  private MockResponse error(
      int status, String type, String code, String message, Map<String, String> headers) {
    ObjectNode root = json.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", type);
    error.putNull("param");
    error.put("code", code);
    MockResponse.Builder response =
        new MockResponse.Builder()
            .code(status)
            .addHeader("Content-Type", "application/json")
            .body(root.toString());
    headers.forEach(response::addHeader);
    return response.build();
  }

  private MockResponse models() {
    ObjectNode root = json.createObjectNode();
    root.put("object", "list");
    ObjectNode model = root.putArray("data").addObject();
    model.put("id", "fake-model");
    model.put("object", "model");
    model.put("created", 1_767_225_600L);
    model.put("owned_by", "loupe-fake");
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/json")
        .body(root.toString())
        .build();
  }

  private FakeRequest describe(int sequence, JsonNode body) {
    List<String> system = new ArrayList<>();
    List<String> user = new ArrayList<>();
    String imageDigest = null;
    for (JsonNode message : body.path("messages")) {
      String role = message.path("role").asText();
      if (!INSTRUCTION_ROLES.contains(role) && !"user".equals(role)) {
        continue;
      }
      List<String> target = "user".equals(role) ? user : system;
      JsonNode content = message.path("content");
      if (content.isTextual()) {
        target.add(content.asText());
      }
      for (JsonNode part : content) {
        String type = part.path("type").asText();
        if ("text".equals(type)) {
          target.add(part.path("text").asText());
        } else if ("image_url".equals(type) && imageDigest == null) {
          imageDigest = FakeAnswers.sha256(part.path("image_url").path("url").asText());
        }
      }
    }
    JsonNode schemaName = body.path("response_format").path("json_schema").path("name");
    int maxTokens = body.path("max_completion_tokens").asInt(body.path("max_tokens").asInt(0));
    return new FakeRequest(
        sequence,
        body.path("model").asText(),
        system.isEmpty() ? null : String.join("\n", system),
        String.join("\n", user),
        imageDigest,
        schemaName.isTextual() ? schemaName.asText() : null,
        maxTokens,
        body.path("service_tier").isTextual() ? body.path("service_tier").asText() : null);
  }
}
