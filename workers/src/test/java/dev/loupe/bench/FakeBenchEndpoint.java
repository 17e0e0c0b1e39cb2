package dev.loupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake OpenAI Chat Completions endpoint for benchmarks and fault tests: the JDK's HTTP server on
 * loopback with a virtual thread per request, so thousands of slow requests in flight cost little.
 * Its answers are fake (marked {@code [fake]}) and cheap; what it models is the timing and the
 * failures of a real provider:
 *
 * <ul>
 *   <li>a latency distribution ({@link Latency}: fixed, uniform, lognormal by median and p99);
 *   <li>a requests-per-minute limit answered with 429 and {@code Retry-After}, plus 429 storms;
 *   <li>random {@link Faults} (5xx, malformed and truncated bodies, refusals, hangs) and bursts of
 *       5xx answers.
 * </ul>
 *
 * It answers Loupe's structured calls ({@code json_schema} named {@code questions}, {@code
 * verdict}, {@code caption_qa}, {@code agreement}, {@code grammar}) and free text, and the same
 * calls from other tools (an ask without a schema gets the questions JSON as text). Every request
 * is counted in a {@link CallLedger} under (image digest, kind of call), so calls paid twice are
 * measurable. Run {@link #main} to serve it standalone for tools in other languages: it prints
 * {@code FAKE_BENCH_BASE_URL=…}, serves {@code GET /stats} (the ledger as JSON) and {@code POST
 * /reset}.
 */
public final class FakeBenchEndpoint implements Closeable {
  private static final Pattern QUESTION_COUNT =
      Pattern.compile("(?i)\\b(\\d{1,3})\\s+(?:[\\w-]+\\s+){0,2}questions?\\b");
  private static final String[] THINGS = {
    "bicycle", "teapot", "street sign", "dog", "umbrella", "window", "boat", "lamp", "tree", "train"
  };
  private static final String[] COLOURS = {
    "red", "blue", "green", "yellow", "grey", "white", "black", "orange"
  };
  private static final Duration HANG = Duration.ofMinutes(10);

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final ObjectMapper json = new ObjectMapper();
  private final CallLedger ledger = new CallLedger();
  private final AtomicInteger sequence = new AtomicInteger();
  private final AtomicInteger serverErrorBurst = new AtomicInteger();
  private final Map<Faults.Kind, AtomicInteger> injected =
      new java.util.EnumMap<>(Faults.Kind.class);
  private final AtomicLong stormUntil = new AtomicLong(System.nanoTime());
  private final long seed;
  private final String apiKey;
  private volatile Latency latency = new Latency.Fixed(0);
  private volatile Faults faults = Faults.NONE;
  private volatile Supplier<Optional<Duration>> admission = Optional::empty;
  private volatile LongFunction<Optional<Duration>> tokenAdmission = tokens -> Optional.empty();
  private volatile Duration stormRetryAfter = Duration.ofSeconds(1);

  private FakeBenchEndpoint(HttpServer server, long seed, String apiKey) {
    this.server = server;
    this.seed = seed;
    this.apiKey = apiKey;
    for (Faults.Kind kind : Faults.Kind.values()) {
      injected.put(kind, new AtomicInteger());
    }
  }

  /**
   * @param port the port, or 0 for a free one
   * @param seed seeds latency and fault draws, so runs are repeatable
   * @param apiKey the bearer key requests must carry, or null to accept any
   */
  public static FakeBenchEndpoint start(int port, long seed, String apiKey) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4096);
    FakeBenchEndpoint fake = new FakeBenchEndpoint(server, seed, apiKey);
    server.setExecutor(fake.executor);
    server.createContext("/", fake::handle);
    server.start();
    return fake;
  }

  /** {@code http://127.0.0.1:<port>/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  public CallLedger ledger() {
    return ledger;
  }

  public FakeBenchEndpoint latency(Latency value) {
    this.latency = value;
    return this;
  }

  public Latency latency() {
    return latency;
  }

  public FakeBenchEndpoint faults(Faults value) {
    this.faults = value;
    return this;
  }

  /**
   * Admits each chat request by the input plus output tokens its answer will report, e.g. a {@code
   * FakeTokenRateLimit}'s {@code tryAcquire}; refused requests get 429 with the wait.
   */
  public FakeBenchEndpoint tokenAdmission(LongFunction<Optional<Duration>> value) {
    this.tokenAdmission = value;
    return this;
  }

  /**
   * Admits a request or says how long until it would be admitted: a requests-per-minute limit, e.g.
   * a {@code FakeRateLimit}'s {@code tryAcquire}. Refused requests get 429 with the wait.
   */
  public FakeBenchEndpoint admission(Supplier<Optional<Duration>> value) {
    this.admission = value;
    return this;
  }

  /** How many answers of this kind the fake sent (or withheld) so far. */
  public int injected(Faults.Kind kind) {
    return injected.get(kind).get();
  }

  /** Every request for {@code length} from now gets 429 with {@code retryAfter}. */
  public void rateLimitStorm(Duration length, Duration retryAfter) {
    stormRetryAfter = retryAfter;
    stormUntil.set(System.nanoTime() + length.toNanos());
  }

  /** The next {@code count} requests get 503. */
  public void serverErrorBurst(int count) {
    serverErrorBurst.set(count);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      if ("GET".equals(method) && "/stats".equals(path)) {
        send(exchange, 200, json.writeValueAsBytes(ledger.snapshot()), Map.of());
      } else if ("POST".equals(method) && "/reset".equals(path)) {
        ledger.reset();
        send(exchange, 200, "{}".getBytes(StandardCharsets.UTF_8), Map.of());
      } else if ("GET".equals(method) && "/v1/models".equals(path)) {
        send(exchange, 200, models(), Map.of());
      } else if ("POST".equals(method) && "/v1/chat/completions".equals(path)) {
        chat(exchange);
      } else {
        send(exchange, 404, error("not_found", "no such path: " + path), Map.of());
      }
    }
  }

  private void chat(HttpExchange exchange) throws IOException {
    int number = sequence.incrementAndGet();
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + number);
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    Call call = Call.parse(json, body);
    long receivedAt = ledger.received(call.key());
    int status = 0;
    boolean paid = false;
    try {
      if (apiKey != null
          && !("Bearer " + apiKey).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        status = 401;
        send(exchange, status, error("invalid_api_key", "Incorrect API key (fake)."), Map.of());
        return;
      }
      if (call.model() == null) {
        status = 400;
        send(exchange, status, error("invalid_request_error", "not a chat request"), Map.of());
        return;
      }
      Optional<Duration> wait = refusedFor();
      if (wait.isEmpty()) {
        wait = tokenAdmission.apply(usageTokens(call));
      }
      if (wait.isPresent()) {
        injected.get(Faults.Kind.RATE_LIMITED).incrementAndGet();
        status = 429;
        send(exchange, status, rateLimited(wait.get()), retryHeaders(wait.get()));
        return;
      }
      Faults.Kind fault =
          serverErrorBurst.getAndUpdate(n -> Math.max(0, n - 1)) > 0
              ? Faults.Kind.SERVER_ERROR
              : faults.pick(random.nextDouble());
      if (fault != null) {
        injected.get(fault).incrementAndGet();
      }
      sleep(fault == Faults.Kind.HANG ? HANG : latency.sample(random));
      status = fault == Faults.Kind.SERVER_ERROR ? 500 + 3 * random.nextInt(2) : 200;
      paid = answer(exchange, call, fault, number);
    } finally {
      ledger.answered(call.key(), call.kind(), status, paid, receivedAt);
    }
  }

  private Optional<Duration> refusedFor() {
    if (System.nanoTime() - stormUntil.get() < 0) {
      return Optional.of(stormRetryAfter);
    }
    return admission.get();
  }

  /** Sends the answer; true when it was a complete 200 a provider would bill. */
  private boolean answer(HttpExchange exchange, Call call, Faults.Kind fault, int number)
      throws IOException {
    if (fault == null) {
      send(exchange, 200, completion(call, content(call), null, number), Map.of());
      return true;
    }
    switch (fault) {
      case SERVER_ERROR ->
          send(exchange, 503, error("server_error", "The server had an error (fake)."), Map.of());
      case MALFORMED -> {
        if (call.schema() != null) {
          send(
              exchange,
              200,
              completion(call, "{\"" + call.schema() + "\": [{\"cut", null, number),
              Map.of());
          return true;
        }
        send(
            exchange,
            200,
            "<html>upstream error</html>".getBytes(StandardCharsets.UTF_8),
            Map.of());
      }
      case TRUNCATED -> {
        byte[] whole = completion(call, content(call), null, number);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, whole.length);
        OutputStream out = exchange.getResponseBody();
        out.write(whole, 0, whole.length / 2);
        out.flush();
        // Closing short of Content-Length makes the server drop the connection mid-body.
        exchange.close();
        return true;
      }
      case REFUSAL -> {
        send(
            exchange,
            200,
            completion(call, null, "I'm sorry, I can't help with that image (fake).", number),
            Map.of());
        return true;
      }
      case HANG, RATE_LIMITED -> {
        // A hang ends when the client has long given up; nothing useful to send.
      }
    }
    return false;
  }

  private String content(Call call) {
    Words words = new Words(call.key() + "\n" + call.text());
    return switch (call.kind()) {
      case "ask" -> questions(call, words);
      case "evaluate" ->
          json.createObjectNode()
              .put("meaningful", true)
              .put("correct", true)
              .put("detail", "[fake] verdict " + words.tag())
              .toString();
      case "caption_qa" ->
          json.createObjectNode()
              .put("caption", freeText(words))
              .put("question", "[fake] Where is the " + words.next(THINGS) + "?")
              .put("question_type", "spatial")
              .put("answer", "[fake] Next to the " + words.next(THINGS) + ".")
              .toString();
      case "compare" ->
          json.createObjectNode()
              .put("agree", !call.text().contains("without seeing the image"))
              .put("detail", "[fake] compared")
              .toString();
      case "grammar" ->
          json.createObjectNode().put("grammatical", true).put("errors", "[fake] none").toString();
      default -> freeText(words);
    };
  }

  private String questions(Call call, Words words) {
    Matcher matcher = QUESTION_COUNT.matcher(call.text());
    int count = matcher.find() ? Math.max(1, Math.min(20, Integer.parseInt(matcher.group(1)))) : 1;
    ObjectNode root = json.createObjectNode();
    var list = root.putArray("questions");
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
                  + " there?")
          .put("type", "reasoning");
    }
    return root.toString();
  }

  private static String freeText(Words words) {
    StringBuilder text =
        new StringBuilder("[fake] Fake output (").append(words.tag()).append("), not a model.");
    while (text.length() < 300) {
      text.append(" A ")
          .append(words.next(COLOURS))
          .append(' ')
          .append(words.next(THINGS))
          .append(" stands near a ")
          .append(words.next(THINGS))
          .append('.');
    }
    return text.toString();
  }

  /** The input plus output tokens a complete answer to {@code call} reports. */
  private long usageTokens(Call call) {
    return promptTokens(call) + content(call).length() / 4;
  }

  private static long promptTokens(Call call) {
    return 100 + call.text().length() / 4 + (call.hasImage() ? 85 : 0);
  }

  private byte[] completion(Call call, String content, String refusal, int number) {
    String output = content != null ? content : refusal;
    long prompt = promptTokens(call);
    long completion = output.length() / 4;
    ObjectNode root = json.createObjectNode();
    root.put("id", "chatcmpl-fake-" + number);
    root.put("object", "chat.completion");
    root.put("created", 1_767_225_600L + number);
    root.put("model", call.model());
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", content);
    message.put("refusal", refusal);
    choice.putNull("logprobs");
    choice.put("finish_reason", "stop");
    ObjectNode usage = root.putObject("usage");
    usage.put("prompt_tokens", prompt);
    usage.put("completion_tokens", completion);
    usage.put("total_tokens", prompt + completion);
    return root.toString().getBytes(StandardCharsets.UTF_8);
  }

  private byte[] rateLimited(Duration wait) {
    return error(
        "rate_limit_exceeded",
        "Rate limit reached for requests (fake). Please try again in " + wait.toMillis() + "ms.");
  }

  private static Map<String, String> retryHeaders(Duration wait) {
    long millis = Math.max(1, wait.toMillis());
    return Map.of(
        "retry-after-ms",
        Long.toString(millis),
        "Retry-After",
        Long.toString(Math.max(1, (millis + 999) / 1000)));
  }

  private byte[] error(String code, String message) {
    ObjectNode root = json.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", code.equals("rate_limit_exceeded") ? "requests" : "invalid_request_error");
    error.putNull("param");
    error.put("code", code);
    return root.toString().getBytes(StandardCharsets.UTF_8);
  }

  private byte[] models() {
    ObjectNode root = json.createObjectNode();
    root.put("object", "list");
    root.putArray("data").addObject().put("id", "fake-model").put("object", "model");
    return root.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void send(
      HttpExchange exchange, int status, byte[] body, Map<String, String> headers)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    headers.forEach(exchange.getResponseHeaders()::set);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static void sleep(Duration duration) {
    if (duration.isZero()) {
      return;
    }
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /**
   * One request as the fake sees it.
   *
   * @param model the model asked for; null when the body is not a chat request
   * @param text the user and system text, joined
   * @param imageDigest SHA-256 of the first image URL (a data URL carries the bytes), or null
   * @param schema {@code response_format.json_schema.name}, or null
   * @param kind describe, ask, answer, evaluate, caption_qa, compare or grammar
   */
  record Call(String model, String text, String imageDigest, String schema, String kind) {
    /** The ledger key: the image (or, for text-only calls, the text) and the kind of call. */
    String key() {
      String subject =
          imageDigest != null
              ? imageDigest
              : CallLedger.TEXT_ONLY
                  + sha256(text.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
      return subject + "|" + kind;
    }

    boolean hasImage() {
      return imageDigest != null;
    }

    static Call parse(ObjectMapper json, byte[] body) {
      JsonNode root;
      try {
        root = json.readTree(body);
      } catch (IOException e) {
        root = null;
      }
      if (root == null || !root.path("model").isTextual() || !root.path("messages").isArray()) {
        return new Call(null, "", null, null, "invalid");
      }
      StringBuilder text = new StringBuilder();
      String image = null;
      for (JsonNode message : root.path("messages")) {
        JsonNode content = message.path("content");
        if (content.isTextual()) {
          text.append(content.asText()).append('\n');
        }
        for (JsonNode part : content) {
          if ("text".equals(part.path("type").asText())) {
            text.append(part.path("text").asText()).append('\n');
          } else if ("image_url".equals(part.path("type").asText()) && image == null) {
            image =
                sha256(
                    part.path("image_url").path("url").asText().getBytes(StandardCharsets.UTF_8));
          }
        }
      }
      JsonNode name = root.path("response_format").path("json_schema").path("name");
      String schema = name.isTextual() ? name.asText() : null;
      String all = text.toString();
      return new Call(root.path("model").asText(), all, image, schema, kindOf(schema, all));
    }

    private static String kindOf(String schema, String text) {
      if (schema != null) {
        switch (schema) {
          case "questions":
            return "ask";
          case "verdict":
            return "evaluate";
          case "agreement":
            return "compare";
          case "caption_qa", "grammar":
            return schema;
          default:
            // Another tool's schema name (e.g. Curator's "output_schema"): judge by the prompt.
            break;
        }
      }
      if (text.contains("Question:")) {
        return "answer";
      }
      return text.toLowerCase(Locale.ROOT).contains("question") ? "ask" : "describe";
    }
  }

  /** Deterministic word choices from a hash. */
  private static final class Words {
    private final byte[] bytes;
    private int position;

    Words(String seedText) {
      this.bytes = HexFormat.of().parseHex(sha256(seedText.getBytes(StandardCharsets.UTF_8)));
    }

    String tag() {
      return HexFormat.of().formatHex(bytes, 0, 4);
    }

    String next(String[] choices) {
      return choices[Byte.toUnsignedInt(bytes[position++ % bytes.length]) % choices.length];
    }
  }

  /**
   * Serves until killed. Arguments: {@code --port N} (default: a free one), {@code --latency
   * fixed:MS|uniform:MIN:MAX|lognormal:MEDIAN:P99}, {@code --seed N}; the key in {@code
   * FAKE_BENCH_API_KEY} when set. Prints {@code FAKE_BENCH_BASE_URL=http://127.0.0.1:<port>/v1}.
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    int port = 0;
    long seedArg = 1;
    Latency latencyArg = new Latency.Fixed(0);
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--seed" -> seedArg = Long.parseLong(args[i + 1]);
        case "--latency" -> latencyArg = Latency.parse(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String key = System.getenv("FAKE_BENCH_API_KEY");
    FakeBenchEndpoint fake =
        start(port, seedArg, key == null || key.isBlank() ? null : key).latency(latencyArg);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  fake.close();
                  stopped.countDown();
                }));
    System.out.println("FAKE_BENCH_BASE_URL=" + fake.baseUrl());
    System.out.flush();
    stopped.await();
  }
}
