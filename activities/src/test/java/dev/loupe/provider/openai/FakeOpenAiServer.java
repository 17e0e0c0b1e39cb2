package dev.loupe.provider.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
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
 * A fake OpenAI Chat Completions endpoint: a real HTTP server on loopback that speaks the wire
 * format, for tests and for trying Loupe without a key. Every request is checked against the
 * official spec's {@code CreateChatCompletionRequest} (a request that fails gets a 400 and is
 * counted) and, when the fake was given a key, for {@code Authorization: Bearer <key>} (401
 * otherwise).
 *
 * <p>Answers are deterministic fake output marked {@code [fake]}: a {@code json_schema} named
 * {@code questions} gets {@code {"questions":[{"question":...,"type":"reasoning"}]}} with as many
 * questions as the prompt asks for ("3 questions", default 1); {@code verdict} gets {@code
 * {"meaningful":true,"correct":true,"detail":...}}; other names can be taught with {@link
 * #answerSchema}; free-text calls get about 300 characters derived from a hash of the request, so
 * different images get different text. Usage is deterministic too: prompt tokens are 100 + a
 * quarter of the prompt's characters (+85 with an image), completion tokens a quarter of the
 * output's; {@link #totalPromptTokens()} and {@link #totalCompletionTokens()} sum what the fake
 * reported in complete answers.
 *
 * <p>Failures are scripted with {@link #failNext} (the next n requests) or {@link #setRule} (any
 * request that matches); see {@link FakeReply}. Run {@link #main} to serve on a port until killed.
 */
public final class FakeOpenAiServer implements Closeable {
  public static final String CHAT_COMPLETIONS_PATH = "/v1/chat/completions";

  private static final String LOOPBACK = "127.0.0.1";
  private static final int MAX_QUESTIONS = 20;
  private static final Set<String> INSTRUCTION_ROLES = Set.of("system", "developer");
  private static final int MAX_REPORTED_VIOLATIONS = 5;
  private static final Pattern QUESTION_COUNT =
      Pattern.compile("(?i)\\b(\\d{1,3})\\s+(?:[\\w-]+\\s+){0,2}questions?\\b");
  private static final String[] COLOURS = {
    "red", "blue", "green", "yellow", "grey", "white", "black", "orange", "brown", "purple"
  };
  private static final String[] THINGS = {
    "bicycle",
    "teapot",
    "street sign",
    "dog",
    "umbrella",
    "window",
    "boat",
    "lamp",
    "tree",
    "train",
    "chair",
    "kite",
    "bridge",
    "clock",
    "market stall",
    "mountain"
  };
  private static final String[] PLACES = {
    "next to", "behind", "in front of", "under", "above", "beside", "far from", "near"
  };

  private final MockWebServer server = new MockWebServer();
  private final String apiKey;
  private final OpenAiSpec spec = OpenAiSpec.load();
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicInteger requestCount = new AtomicInteger();
  private final AtomicLong promptTokens = new AtomicLong();
  private final AtomicLong completionTokens = new AtomicLong();
  private final List<FakeRequest> requests = new CopyOnWriteArrayList<>();
  private final List<String> invalidRequests = new CopyOnWriteArrayList<>();
  private final Queue<FakeReply> scripted = new ConcurrentLinkedQueue<>();
  private final Map<String, Function<FakeRequest, String>> structuredAnswers =
      new ConcurrentHashMap<>();
  private volatile Function<FakeRequest, Optional<FakeReply>> rule = request -> Optional.empty();
  private volatile boolean meaningful = true;
  private volatile boolean correct = true;
  private volatile int questionCount;

  private FakeOpenAiServer(String apiKey) {
    this.apiKey = apiKey;
    structuredAnswers.put("questions", this::questions);
    structuredAnswers.put("verdict", this::verdict);
    structuredAnswers.put("caption_qa", this::captionQa);
    structuredAnswers.put("agreement", this::agreement);
    structuredAnswers.put("grammar", this::grammar);
    server.setDispatcher(new Handler());
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
    this.meaningful = meaningful;
    this.correct = correct;
  }

  /** How many questions {@code questions} calls get; 0 (initially) reads it from the prompt. */
  public void setQuestionCount(int count) {
    if (count < 0 || count > MAX_QUESTIONS) {
      throw new IllegalArgumentException("question count must be 0.." + MAX_QUESTIONS);
    }
    this.questionCount = count;
  }

  /** Teaches or replaces the JSON content answered for a {@code json_schema} name. */
  public void answerSchema(String name, Function<FakeRequest, String> answer) {
    structuredAnswers.put(name, answer);
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
      case FakeReply.Delayed d ->
          new MockResponse.Builder(reply(seen, d.then()))
              .headersDelay(d.delay().toMillis(), TimeUnit.MILLISECONDS)
              .build();
    };
  }

  private MockResponse normal(FakeRequest seen) {
    Optional<String> content = content(seen);
    if (content.isEmpty()) {
      return error(
          400,
          "invalid_request_error",
          null,
          "The fake has no answer for json_schema '"
              + seen.schemaName()
              + "'; teach it with answerSchema(), it knows "
              + structuredAnswers.keySet(),
          Map.of());
    }
    return send(completion(seen, content.get(), null, "stop"));
  }

  private Optional<String> content(FakeRequest seen) {
    if (!seen.structured()) {
      return Optional.of(freeText(seen));
    }
    return Optional.ofNullable(structuredAnswers.get(seen.schemaName())).map(a -> a.apply(seen));
  }

  private MockResponse truncated(FakeRequest seen) {
    Completion whole = completion(seen, content(seen).orElse("[fake]"), null, "stop");
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
    root.put("service_tier", "default");
    return new Completion(seen.sequence(), root.toString(), prompt, completion);
  }

  /** 100 + a quarter of the prompt's characters, + 85 for an image (a low-detail tile). */
  static long promptTokens(FakeRequest seen) {
    int characters =
        (seen.system() == null ? 0 : seen.system().length())
            + (seen.text() == null ? 0 : seen.text().length());
    return 100 + characters / 4 + (seen.hasImage() ? 85 : 0);
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
          imageDigest = sha256(part.path("image_url").path("url").asText());
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
        maxTokens);
  }

  private String freeText(FakeRequest seen) {
    Words words = new Words(seen);
    StringBuilder text =
        new StringBuilder("[fake] Fake output from FakeOpenAiServer (")
            .append(words.tag())
            .append("), not a real model.");
    while (text.length() < 300) {
      text.append(" A ")
          .append(words.next(COLOURS))
          .append(' ')
          .append(words.next(THINGS))
          .append(" stands ")
          .append(words.next(PLACES))
          .append(" a ")
          .append(words.next(COLOURS))
          .append(' ')
          .append(words.next(THINGS))
          .append('.');
    }
    return text.toString();
  }

  private String questions(FakeRequest seen) {
    Words words = new Words(seen);
    int count = questionCount > 0 ? questionCount : questionsAskedFor(seen.text());
    ObjectNode root = json.createObjectNode();
    ArrayNode list = root.putArray("questions");
    for (int i = 1; i <= count; i++) {
      list.addObject()
          .put(
              "question",
              "[fake] Question "
                  + i
                  + " ("
                  + words.tag()
                  + "): why is the "
                  + words.next(COLOURS)
                  + " "
                  + words.next(THINGS)
                  + " "
                  + words.next(PLACES)
                  + " the "
                  + words.next(THINGS)
                  + "?")
          .put("type", "reasoning");
    }
    return root.toString();
  }

  /** ALLaVA's single call: a caption, a question and its answer. */
  private String captionQa(FakeRequest seen) {
    Words words = new Words(seen);
    return json.createObjectNode()
        .put("caption", freeText(seen))
        .put(
            "question",
            "[fake] Question (" + words.tag() + "): where is the " + words.next(THINGS) + "?")
        .put("question_type", "spatial")
        .put(
            "answer",
            "[fake] Answer (" + words.tag() + "): next to the " + words.next(THINGS) + ".")
        .toString();
  }

  /**
   * Answers agree, except when the second was written without the image: a fake model cannot answer
   * about an image it did not see, so such questions pass the answerable-without-image check.
   */
  private String agreement(FakeRequest seen) {
    boolean blind =
        seen.text() != null
            && (seen.text().contains("without seeing the image") || seen.text().contains("没有看到图片"));
    return json.createObjectNode()
        .put("agree", !blind)
        .put("detail", blind ? "[fake] the blind answer guesses" : "[fake] same substance")
        .toString();
  }

  private String grammar(FakeRequest seen) {
    return json.createObjectNode()
        .put("grammatical", true)
        .put("errors", "[fake] none found")
        .toString();
  }

  static int questionsAskedFor(String text) {
    Matcher matcher = QUESTION_COUNT.matcher(text == null ? "" : text);
    if (!matcher.find()) {
      return 1;
    }
    return Math.max(1, Math.min(MAX_QUESTIONS, Integer.parseInt(matcher.group(1))));
  }

  private String verdict(FakeRequest seen) {
    return json.createObjectNode()
        .put("meaningful", meaningful)
        .put("correct", correct)
        .put("detail", "[fake] verdict (" + new Words(seen).tag() + ")")
        .toString();
  }

  private static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Deterministic word choices drawn from a hash of the request. */
  private static final class Words {
    private final String seed;
    private byte[] bytes;
    private int position;
    private int round;

    Words(FakeRequest seen) {
      this.seed =
          seen.model() + "\n" + seen.system() + "\n" + seen.text() + "\n" + seen.imageDigest();
      this.bytes = HexFormat.of().parseHex(sha256(seed));
    }

    String tag() {
      return HexFormat.of().formatHex(HexFormat.of().parseHex(sha256(seed)), 0, 4);
    }

    String next(String[] choices) {
      if (position == bytes.length) {
        round++;
        bytes = HexFormat.of().parseHex(sha256(seed + "#" + round));
        position = 0;
      }
      return choices[Byte.toUnsignedInt(bytes[position++]) % choices.length];
    }
  }
}
