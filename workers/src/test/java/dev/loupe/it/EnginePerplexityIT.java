package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Guice;
import com.google.inject.Stage;
import dev.loupe.config.EndpointSettings;
import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.TaskQueues;
import dev.loupe.embedded.RemoteTemporal;
import dev.loupe.image.TestImages;
import dev.loupe.provider.CaptionScorer;
import dev.loupe.provider.ModelRequest.PreparedImage;
import dev.loupe.provider.openai.FakeOpenAiServer;
import dev.loupe.provider.openai.OpenAiSettings;
import dev.loupe.provider.openai.PromptLogprobScorer;
import dev.loupe.storage.Locations;
import dev.loupe.worker.LoupeModule;
import dev.loupe.worker.Pool;
import dev.loupe.worker.PoolRegistrar;
import dev.loupe.worker.TemporalModule;
import io.temporal.client.WorkflowOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The perplexity check against the REAL engine: vLLM's CPU build serving the tiny untrained
 * Qwen2-VL of docs/engine.md, started by {@code flock /tmp/loupe-engine.lock scripts/engine-serve
 * start} (one engine start at a time on a shared machine) on a port and state directory of this
 * test's own, and stopped after it. Every recorded perplexity is checked against the test's own
 * computation from the engine's raw prompt log-probabilities. The model is untrained, so its scores
 * are noise: the test asserts the mechanics (the request shapes are accepted, the caption's tokens
 * are found at the prompt's end, scores are finite, deterministic and recorded, the model's own
 * greedy text scores lower than random words, the image changes the scores, thresholds drop exactly
 * what they should), never that a score means quality. Skipped only when {@code
 * LOUPE_TEST_ENGINE=0}.
 */
class EnginePerplexityIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** vLLM, through Python's json, writes a log-probability of −∞ as a bare -Infinity. */
  private static final ObjectMapper LENIENT =
      com.fasterxml.jackson.databind.json.JsonMapper.builder()
          .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .build();

  /** The served name of the untrained model: everything it writes or scores is noise. */
  private static final String MODEL = "loupe-tiny-untrained";

  private static final String ENGINE_LOCK = "/tmp/loupe-engine.lock";

  /**
   * HTTP/1.1: the JDK client's default asks a cleartext server to upgrade to HTTP/2, and vLLM's
   * server (uvicorn) then reads no body (400 "Field required").
   */
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

  private static Path state;
  private static String baseUrl;
  private static PromptLogprobScorer scorer;

  @TempDir Path work;

  @BeforeAll
  static void startEngine() throws Exception {
    if ("0".equals(System.getenv("LOUPE_TEST_ENGINE"))) {
      System.err.println(
          "\n*** EnginePerplexityIT SKIPPED: LOUPE_TEST_ENGINE=0. The perplexity check was NOT"
              + " tested against a real vLLM engine. ***\n");
      Assumptions.abort("LOUPE_TEST_ENGINE=0: the real-engine perplexity test is skipped");
    }
    state = Files.createTempDirectory("loupe-engine-it-");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    script(Duration.ofMinutes(25), "engine-setup");
    script(Duration.ofMinutes(10), "engine-setup", "model");
    script(Duration.ofMinutes(16), "engine-serve", "start", "--port", Integer.toString(port));
    baseUrl = "http://127.0.0.1:" + port + "/v1";
    scorer =
        new PromptLogprobScorer(
            new OpenAiSettings(
                baseUrl,
                null,
                dev.loupe.provider.openai.Dialect.OPENAI_COMPATIBLE,
                Duration.ofSeconds(120)),
            new OkHttpClient());
  }

  @AfterAll
  static void stopEngine() throws Exception {
    if (state != null) {
      script(Duration.ofMinutes(2), "engine-serve", "stop");
      // The engine is gone: its state directory (process group, port, server.log) goes too.
      try (var files = Files.walk(state)) {
        for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  /**
   * Runs {@code scripts/<name>} with this test's engine state directory, under {@code flock
   * /tmp/loupe-engine.lock} when it starts the engine; fails on non-zero.
   */
  private static String script(Duration timeout, String... command) throws Exception {
    List<String> line = new ArrayList<>();
    if (command[0].equals("engine-serve") && command[1].equals("start")) {
      // Other tests and helpers start engines on this machine too: one start at a time.
      line.addAll(List.of("flock", ENGINE_LOCK));
    }
    line.add(ROOT.resolve("scripts").resolve(command[0]).toString());
    line.addAll(List.of(command).subList(1, command.length));
    Path log = Files.createTempFile("loupe-engine-it-", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(line)
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("LOUPE_ENGINE_STATE", state.toString());
    Process process = builder.start();
    if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", line) + " timed out; log " + log);
    }
    String output = Files.readString(log);
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          String.join(" ", line) + " exited " + process.exitValue() + ":\n" + output);
    }
    Files.delete(log); // kept only when the command failed or timed out
    return output;
  }

  private static PreparedImage image(byte[] png) {
    return new PreparedImage(png, "image/png", 0, 0);
  }

  private static CaptionScorer.Score score(PreparedImage image, String caption) throws Exception {
    return scorer.score(new CaptionScorer.Request(MODEL, "Describe this image.", image, caption));
  }

  /** What the engine writes, greedily, after the image and the instruction. */
  private static String greedy(byte[] png, int tokens) throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", MODEL);
    body.put(
        "messages",
        List.of(
            Map.of(
                "role",
                "user",
                "content",
                List.of(
                    Map.of(
                        "type",
                        "image_url",
                        "image_url",
                        Map.of(
                            "url",
                            "data:image/png;base64,"
                                + java.util.Base64.getEncoder().encodeToString(png))),
                    Map.of("type", "text", "text", "Describe this image.")))));
    body.put("max_tokens", tokens);
    body.put("temperature", 0);
    body.put("ignore_eos", true);
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(baseUrl + "/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .timeout(Duration.ofMinutes(2))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).at("/choices/0/message/content").asText();
  }

  private static JsonNode post(String url, Map<String, Object> body) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .timeout(Duration.ofMinutes(2))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
    return LENIENT.readTree(response.body());
  }

  /**
   * The test's own oracle, independent of Loupe's scorer: the caption's perplexity computed here
   * from the engine's raw answers. {@code /tokenize} gives the caption's tokens; a chat completion
   * with the caption as a continued assistant turn and {@code prompt_logprobs: 0} gives one
   * log-probability per prompt token; the caption's are the last ones; perplexity = exp(−mean).
   */
  private static double enginePerplexity(
      byte[] image, String mimeType, String instruction, String caption) throws Exception {
    JsonNode tokens =
        post(
            baseUrl.replaceFirst("/v1$", "") + "/tokenize",
            Map.of("model", MODEL, "prompt", caption, "add_special_tokens", false));
    int n = tokens.get("tokens").size();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", MODEL);
    body.put(
        "messages",
        List.of(
            Map.of(
                "role",
                "user",
                "content",
                List.of(
                    Map.of(
                        "type",
                        "image_url",
                        "image_url",
                        Map.of(
                            "url",
                            "data:"
                                + mimeType
                                + ";base64,"
                                + java.util.Base64.getEncoder().encodeToString(image))),
                    Map.of("type", "text", "text", instruction))),
            Map.of("role", "assistant", "content", caption)));
    body.put("add_generation_prompt", false);
    body.put("continue_final_message", true);
    body.put("max_tokens", 1);
    body.put("prompt_logprobs", 0);
    JsonNode logprobs = post(baseUrl + "/chat/completions", body).get("prompt_logprobs");
    double sum = 0;
    for (int i = logprobs.size() - n; i < logprobs.size(); i++) {
      JsonNode entry = logprobs.get(i);
      assertThat(entry.size()).as("prompt_logprobs 0: the prompt's own token only").isEqualTo(1);
      sum += entry.elements().next().get("logprob").asDouble();
    }
    return Math.exp(-sum / n);
  }

  /** What the worker sends as the perplexity check's instruction (config/prompts/checks/). */
  private static String instruction() throws IOException {
    return Files.readString(ROOT.resolve("config/prompts/checks/perplexity-en-1.txt")).strip();
  }

  /**
   * Each scored caption of a run: its recorded perplexity equals the one the oracle computes from
   * the engine's own log-probabilities for the same image and caption.
   */
  private static void assertScoresAreTheEngines(List<JsonNode> records) throws Exception {
    for (JsonNode record : records) {
      JsonNode check = record.at("/caption/checks/perplexity");
      if (check.isMissingNode()) {
        continue;
      }
      assertThat(record.at("/caption/model").asText())
          .as("captions are the untrained model's")
          .isEqualTo(MODEL);
      Path image = Path.of(URI.create(record.at("/image/uri").asText()));
      double expected =
          enginePerplexity(
              Files.readAllBytes(image),
              "image/jpeg",
              instruction(),
              record.at("/caption/text").asText());
      assertThat(check.get("score").asDouble())
          .as("perplexity of %s (untrained model)", record.get("id").asText())
          .isFinite()
          .isCloseTo(expected, org.assertj.core.data.Percentage.withPercentage(0.1));
    }
  }

  @Test
  void scoresAreFiniteDeterministicAndFollowTheModel() throws Exception {
    PreparedImage chart = image(TestImages.barChartPng());
    String caption = "A red car parked on a street.";

    CaptionScorer.Score first = score(chart, caption);
    CaptionScorer.Score again = score(chart, caption);
    CaptionScorer.Score textAlone = score(null, caption);

    assertThat(first.tokens()).isEqualTo(10); // docs/engine.md: /tokenize gives 10 tokens
    for (double logprob : first.logprobs()) {
      assertThat(logprob).isFinite().isNegative();
    }
    assertThat(first.perplexity()).isNotNull().isFinite().isGreaterThan(1.0);
    assertThat(again.perplexity()).isEqualTo(first.perplexity());
    assertThat(first.perplexity())
        .as("Loupe's scorer against the test's own computation from the engine's log-probabilities")
        .isCloseTo(
            enginePerplexity(
                TestImages.barChartPng(), "image/png", "Describe this image.", caption),
            org.assertj.core.data.Percentage.withPercentage(0.1));
    // The image is context: the same caption without it scores otherwise.
    assertThat(textAlone.perplexity()).isNotEqualTo(first.perplexity());

    // The model's own greedy continuation is, token by token, its most likely text: it must score
    // far lower than the same number of random caption words.
    String own = greedy(TestImages.barChartPng(), 12);
    String random = "window seven quietly orange ladder beneath river lamp twelve velvet";
    CaptionScorer.Score ownScore = score(chart, own);
    CaptionScorer.Score randomScore = score(chart, random);
    System.err.printf(
        "engine perplexities (untrained model, noise): caption %.1f, without image %.1f,"
            + " greedy '%s' %.1f, random words %.1f%n",
        first.perplexity(),
        textAlone.perplexity(),
        own,
        ownScore.perplexity(),
        randomScore.perplexity());
    assertThat(ownScore.perplexity()).isLessThan(randomScore.perplexity());
  }

  @Test
  void aRunRecordsEveryScoreAndKeepsTheLowestShareThenAMaximumDropsWhatIsAboveIt()
      throws Exception {
    Path images = InJvmWorkers.writePhotos(work.resolve("images"), 4);
    Path config = Files.createDirectories(work.resolve("config/recipes"));
    Files.writeString(config.resolve("engine-share.yaml"), recipe("keepLowestShare: 0.5"));
    LinkedHashMap<String, EndpointSettings> endpoints = new LinkedHashMap<>();
    endpoints.put(
        "engine", new EndpointSettings("openai-compatible", baseUrl, null, MODEL, 120, 4, null));
    RemoteTemporal temporal = new RemoteTemporal(TestServers.temporalAddress(), "default", null);
    try {
      start(
          temporal, new LoupeConfig(null, "engine", endpoints, null, 4, null), config.getParent());
      Path shareOut = work.resolve("share");
      DatasetResult shared = run(temporal, "engine-share", images, shareOut);

      // Every image's record (items/) holds its caption's score, computed from the engine's
      // prompt log-probabilities: the test's own computation from the engine gives the same.
      List<JsonNode> records = new ArrayList<>();
      for (Path record : recordFiles(shareOut)) {
        records.add(JSON.readTree(record.toFile()));
      }
      assertThat(records).hasSize(4);
      assertScoresAreTheEngines(records);
      Map<String, String> captions = new LinkedHashMap<>();
      List<Double> all = new ArrayList<>();
      for (JsonNode record : records) {
        captions.put(record.get("id").asText(), record.at("/caption/text").asText());
        all.add(record.at("/caption/checks/perplexity/score").asDouble());
      }
      all.sort(Double::compare);
      System.err.println(
          "engine perplexities of the run (untrained model loupe-tiny-untrained, noise): " + all);

      // keepLowestShare 0.5 of 4 scored captions: the export keeps the lowest 2.
      JsonNode stats = JSON.readTree(shareOut.resolve("stats.json").toFile());
      assertThat(stats.at("/perplexity_cut/scored").asLong()).isEqualTo(4);
      assertThat(stats.at("/perplexity_cut/keep_lowest_share").asDouble()).isEqualTo(0.5);
      double cut = stats.at("/perplexity_cut/cut").asDouble();
      assertThat(cut).isEqualTo(all.get(1));
      List<JsonNode> kept = lines(shareOut.resolve("samples.jsonl"));
      assertThat(kept).hasSize(2);
      for (JsonNode sample : kept) {
        JsonNode check = sample.at("/caption/checks/perplexity");
        assertThat(check.get("pass").asBoolean()).isTrue();
        assertThat(check.get("score").asDouble()).isFinite().isLessThanOrEqualTo(cut);
        assertThat(check.get("threshold").asDouble()).isEqualTo(cut);
        assertThat(check.get("detail").asText()).contains("within the run's cut");
        assertThat(sample.at("/provenance/calls").findValuesAsText("stage")).contains("perplexity");
      }
      List<JsonNode> dropped = lines(shareOut.resolve("rejected.jsonl"));
      assertThat(dropped).hasSize(2);
      for (JsonNode rejected : dropped) {
        assertThat(rejected.get("reason").asText()).isEqualTo("perplexity");
        assertThat(rejected.get("detail").asText()).contains("above the run's cut");
      }
      assertThat(shared.counts().accepted()).isEqualTo(2);
      assertThat(shared.counts().rejected()).isEqualTo(2);

      // The same captions again (the describe calls are answered from the response cache), with
      // maxPerplexity between the second and third lowest scores: the two above it are dropped as
      // each image is scored, with the limit as the check's threshold.
      double maximum = (all.get(1) + all.get(2)) / 2;
      Files.writeString(
          config.resolve("engine-max.yaml"),
          recipe("maxPerplexity: " + maximum).replace("engine-share", "engine-max"));
      Path maxOut = work.resolve("max");
      DatasetResult capped = run(temporal, "engine-max", images, maxOut);
      List<JsonNode> again = new ArrayList<>();
      for (Path record : recordFiles(maxOut)) {
        again.add(JSON.readTree(record.toFile()));
      }
      for (JsonNode record : again) {
        assertThat(record.at("/caption/text").asText())
            .as("the cached caption of %s", record.get("id").asText())
            .isEqualTo(captions.get(record.get("id").asText()));
        JsonNode check = record.at("/caption/checks/perplexity");
        assertThat(check.get("threshold").asDouble()).isEqualTo(maximum);
        assertThat(check.get("pass").asBoolean())
            .isEqualTo(check.get("score").asDouble() <= maximum);
      }
      assertScoresAreTheEngines(again);
      assertThat(capped.counts().accepted()).isEqualTo(2);
      assertThat(capped.counts().rejected()).isEqualTo(2);
      for (JsonNode rejected : lines(maxOut.resolve("rejected.jsonl"))) {
        assertThat(rejected.get("reason").asText()).isEqualTo("perplexity");
        assertThat(rejected.get("detail").asText()).contains("above the limit");
      }
      assertThat(JSON.readTree(maxOut.resolve("stats.json").toFile()).has("perplexity_cut"))
          .isFalse();
    } finally {
      temporal.close();
    }
  }

  @Test
  void aServerWithoutPromptLogprobsIsRefusedAtStartNamingTheEndpoint() throws Exception {
    try (FakeOpenAiServer plain = FakeOpenAiServer.start()) {
      Path images = InJvmWorkers.writePhotos(work.resolve("images"), 1);
      Path config = Files.createDirectories(work.resolve("config/recipes"));
      Files.writeString(
          config.resolve("engine-share.yaml"),
          recipe("keepLowestShare: 0.5\n  perplexityEndpoint: plain"));
      LinkedHashMap<String, EndpointSettings> endpoints = new LinkedHashMap<>();
      endpoints.put(
          "engine", new EndpointSettings("openai-compatible", baseUrl, null, MODEL, 120, 4, null));
      endpoints.put(
          "plain",
          new EndpointSettings(
              "openai-compatible", plain.baseUrl(), null, "fake-model", 30, 4, null));
      RemoteTemporal temporal = new RemoteTemporal(TestServers.temporalAddress(), "default", null);
      try {
        start(
            temporal,
            new LoupeConfig(null, "engine", endpoints, null, 4, null),
            config.getParent());
        assertThatThrownBy(() -> run(temporal, "engine-share", images, work.resolve("out")))
            .hasStackTraceContaining(
                "recipe engine-share: endpoint 'plain' cannot score captions for the perplexity"
                    + " check");
      } finally {
        temporal.close();
      }
    }
  }

  private static String recipe(String perplexity) {
    return "name: engine-share\nlang: en\nprobe: {minShortSide: 64}\nstages:\n"
        + "  describe:\n    templates: [sharegpt4v/describe-en-1]\n    maxOutputTokens: 16\n"
        + "    checks: [caption_length, perplexity]\n"
        + "checks:\n  captionMinChars: 1\n  "
        + perplexity
        + "\n";
  }

  private static void start(RemoteTemporal temporal, LoupeConfig config, Path configDirectory) {
    Guice.createInjector(
            Stage.PRODUCTION,
            new LoupeModule(
                TestRoots.withTemporaryDirectory(config),
                configDirectory,
                TestServers.freshCacheEnvironment(Map.of())),
            new TemporalModule(temporal))
        .getInstance(PoolRegistrar.class)
        .register(temporal.workerFactory(), EnumSet.of(Pool.WORKFLOWS, Pool.CPU, Pool.API));
    temporal.workerFactory().start();
  }

  private static DatasetResult run(RemoteTemporal temporal, String recipe, Path images, Path out) {
    DatasetRequest request =
        new DatasetRequest(
            Locations.of(images.toAbsolutePath().toString()).toString(),
            Locations.asDirectory(Locations.of(out.toAbsolutePath().toString())).toString(),
            recipe,
            null,
            null,
            null,
            null);
    return temporal
        .client()
        .newWorkflowStub(
            DatasetWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId("engine-" + recipe + "-" + System.nanoTime())
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .setWorkflowExecutionTimeout(Duration.ofMinutes(10))
                .build())
        .run(request);
  }

  private static List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    if (!Files.exists(file)) {
      return lines;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line));
      }
    }
    return lines;
  }

  private static List<Path> recordFiles(Path out) throws IOException {
    try (var files = Files.walk(out.resolve("items"))) {
      return files.filter(f -> f.toString().endsWith(".json")).toList();
    }
  }
}
