package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.captioner.FakeModelServerCommand;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.ImageWorkflow;
import dev.loupe.image.ContentHash;
import dev.loupe.image.TestImages;
import dev.loupe.image.TestScenes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The captioner pool on the real engine of docs/engine.md: vLLM's CPU build serving a tiny,
 * untrained Qwen2-VL, started by {@code loupe worker --pool captioner --model-command
 * "scripts/engine-serve foreground --port P"} (which execs {@code vllm serve}, as a GPU host's
 * command line does). A small dataset is captioned through it, its API server is killed with
 * SIGKILL mid-run, and the run still completes with every image captioned, while none of the
 * engine's processes outlive the kill. Then a SIGTERM with a second run's long captions all in
 * flight (at the engine and queued for a slot): they all finish, the run completes, the engine's
 * whole group stops and the worker exits 0. A model directory vLLM cannot load fails the pool's
 * start with vLLM's own last lines.
 *
 * <p>Installs the engine first ({@code scripts/engine-setup}, {@code scripts/engine-setup model};
 * about 3 minutes once, then a no-op). {@code LOUPE_TEST_ENGINE=0} skips this test.
 */
class CaptionerEngineIT {
  private static final String SERVED_MODEL = "loupe-tiny-untrained";
  private static final int IMAGES = 12;
  private static final Map<String, String> CAPTIONER_OK =
      Map.of("endpoint", "captioner", "stage", "describe", "outcome", "ok");
  private static final Pattern DRAINING =
      Pattern.compile("finishing in-flight tasks \\(up to \\d+ s, (\\d+) running\\)");
  private static final Pattern SERVER_PID =
      Pattern.compile("started the model server \\(pid (\\d+), its own process group\\)");

  private static final int SLOTS = 4;
  private static final int LONG_CAPTION_TOKENS = 1024;
  private static final Map<String, String> CAPTIONER_POOL = Map.of("pool", "captioner");

  /** A recipe like sharegpt4v-captioner, with captions of at most {@code tokens} tokens. */
  private static final String RECIPE =
      """
      name: %s
      description: Captions from the captioner pool's engine, for CaptionerEngineIT.
      probe:
        minShortSide: 224
      stages:
        describe:
          pool: captioner
          templates: [sharegpt4v-captioner/describe-en-1]
          maxOutputTokens: %d
      """;

  private static Path repository;

  @TempDir Path work;
  private final List<LoupeProcess> processes = new ArrayList<>();
  private final ObjectMapper json = new ObjectMapper();
  private WorkflowServiceStubs service;
  private WorkflowClient client;
  private String address;

  @BeforeAll
  static void installTheEngine() throws Exception {
    if ("0".equals(System.getenv("LOUPE_TEST_ENGINE"))) {
      System.err.println(
          "\n**********************************************************************\n"
              + "CaptionerEngineIT SKIPPED: LOUPE_TEST_ENGINE=0. The captioner pool is NOT\n"
              + "tested against a real inference engine in this run.\n"
              + "**********************************************************************\n");
      Assumptions.abort("LOUPE_TEST_ENGINE=0: the real-engine test is skipped");
    }
    repository = Path.of("").toAbsolutePath();
    while (!Files.isExecutable(repository.resolve("scripts/engine-serve"))) {
      repository = repository.getParent();
      assertThat(repository).as("the repository root, holding scripts/engine-serve").isNotNull();
    }
    long start = System.nanoTime();
    setup();
    setup("model");
    System.out.printf(
        "captioner-engine-it: scripts/engine-setup and engine-setup model took %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  @BeforeEach
  void connect() throws IOException {
    address = TestServers.temporalAddress();
    service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    client =
        WorkflowClient.newInstance(
            service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
    Path recipes = Files.createDirectories(work.resolve("config/recipes"));
    // Captions long enough that a kill lands mid-run (the model's output is noise), and long
    // ones that keep the engine busy through a SIGTERM.
    Files.writeString(
        recipes.resolve("engine-captioner.yaml"), RECIPE.formatted("engine-captioner", 128));
    Files.writeString(
        recipes.resolve("engine-captioner-long.yaml"),
        RECIPE.formatted("engine-captioner-long", LONG_CAPTION_TOKENS));
  }

  @AfterEach
  void stopEverything() {
    for (LoupeProcess process : processes) {
      process.process().destroy();
    }
    for (LoupeProcess process : processes) {
      try {
        if (!process.process().waitFor(60, TimeUnit.SECONDS)) {
          process.process().destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    service.shutdown();
  }

  @Test
  void engineCaptionsTheRunSurvivesKillAndDrainsOnSigtermWithoutOrphans() throws Exception {
    Path images = images("images", IMAGES);
    start(Map.of(), "worker", "--pool", "workflows,cpu");
    int port = FakeModelServerCommand.freePort();
    int metricsPort = FakeModelServerCommand.freePort();
    long launched = System.nanoTime();
    LoupeProcess captioner =
        start(
            Map.of("LOUPE_LOG_LEVEL", "INFO"),
            "worker",
            "--pool",
            "captioner",
            "--model-command",
            repository.resolve("scripts/engine-serve") + " foreground --port " + port,
            "--model-url",
            "http://127.0.0.1:" + port + "/v1",
            "--batch-slots",
            Integer.toString(SLOTS),
            // At SIGTERM long captions at the engine and as many queued: two rounds to drain.
            "--drain-seconds",
            "180",
            "--metrics-port",
            Integer.toString(metricsPort));
    awaitMetrics(
        metricsPort, m -> m.sum("loupe_model_server_up") == 1, Duration.ofMinutes(6), captioner);
    long startupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launched);

    Path out = work.resolve("out");
    String id = "captioner-engine-it-" + System.nanoTime();
    run(
        "start",
        images.toString(),
        "--out",
        out.toString(),
        "--recipe",
        "engine-captioner",
        "--id",
        id);

    // The first captions are back: kill the engine's API server under the rest.
    awaitMetrics(
        metricsPort,
        m -> m.sum("loupe_model_calls_total", CAPTIONER_OK) >= 1,
        Duration.ofMinutes(3),
        captioner);
    ProcessHandle server = engineOf(captioner);
    long pgid = server.pid();
    assertThat(ProcessGroups.liveMembers(pgid))
        .as("vLLM's API server, EngineCore, its worker and the resource tracker")
        .hasSizeGreaterThanOrEqualTo(3);
    double captionedBefore =
        PrometheusText.scrape(metricsPort).sum("loupe_model_calls_total", CAPTIONER_OK);
    long killedAt = System.nanoTime();
    server.destroyForcibly();

    List<String> left = ProcessGroups.awaitEmpty(pgid, Duration.ofSeconds(40));
    long groupGoneMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    assertThat(left).as("engine processes left after the kill: " + captioner.stderr()).isEmpty();
    assertThat(ProcessGroups.listening(port))
        .as("the port is free until the new engine takes it")
        .isFalse();
    awaitMetrics(
        metricsPort,
        m -> m.sum("loupe_model_server_up") == 1 && m.sum("loupe_model_server_restarts_total") == 1,
        Duration.ofMinutes(6),
        captioner);
    long recoveredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);

    DatasetResult result =
        client.newUntypedWorkflowStub(id).getResult(6, TimeUnit.MINUTES, DatasetResult.class);
    assertThat(result.counts().accepted()).as(captioner.stderr()).isEqualTo(IMAGES);
    assertThat(result.counts().failed()).isZero();
    assertThat(captionedBefore).as("the kill came mid-run").isLessThan(IMAGES);

    List<String> lines = Files.readAllLines(out.resolve("samples.jsonl"));
    assertThat(lines).hasSize(IMAGES);
    System.out.println("captioner-engine-it: a sample: " + lines.get(0));
    for (String line : lines) {
      JsonNode sample = json.readTree(line);
      assertThat(sample.findValuesAsText("model"))
          .as("the output names the untrained model that wrote it: %s", line)
          .isNotEmpty()
          .containsOnly(SERVED_MODEL);
    }

    PrometheusText metrics = PrometheusText.scrape(metricsPort);
    assertThat(metrics.sum("loupe_model_calls_total", CAPTIONER_OK)).isEqualTo(IMAGES);
    assertThat(metrics.sum("loupe_model_server_failed_starts_total")).isZero();
    System.out.printf(
        "captioner-engine-it: engine up %d ms after the worker started; kill -9 of the API"
            + " server (%d of %d captions done): its group gone in %d ms, polling again %d ms"
            + " after the kill%n",
        startupMillis, (long) captionedBefore, IMAGES, groupGoneMillis, recoveredMillis);

    // SIGTERM with every caption of a second run in flight (long ones: SLOTS at the engine, as
    // many queued for a slot): the worker stops polling, the engine finishes all of them, then the
    // worker stops the engine's whole group and exits 0; nothing is handed back, and the run
    // completes with every image captioned by this worker.
    int drainImageCount = SLOTS * 2;
    double captionedBeforeDrain =
        PrometheusText.scrape(metricsPort).sum("loupe_model_calls_total", CAPTIONER_OK);
    Path drainImages = images("drain-images", drainImageCount);
    String drainId = "captioner-engine-it-drain-" + System.nanoTime();
    run(
        "start",
        drainImages.toString(),
        "--out",
        work.resolve("drain-out").toString(),
        "--recipe",
        "engine-captioner-long",
        "--id",
        drainId);
    // Every caption of the run taken by this worker and some still running: on a loaded host the
    // first may end before the last arrives, so "all in flight at once" is not waited for.
    awaitMetrics(
        metricsPort,
        m -> {
          double inFlight = m.sum("loupe_activities_in_flight", CAPTIONER_POOL);
          double done = m.sum("loupe_model_calls_total", CAPTIONER_OK) - captionedBeforeDrain;
          return inFlight >= 1 && inFlight + done >= drainImageCount;
        },
        Duration.ofMinutes(3),
        captioner);
    ProcessHandle second = engineOf(captioner);
    long stoppedAt = System.nanoTime();
    captioner.process().destroy();
    assertThat(captioner.waitFor(Duration.ofSeconds(240))).as(captioner.stderr()).isZero();
    long drainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
    String stderr = captioner.stderr();
    assertThat(stderr).contains("in-flight tasks finished in").doesNotContain("handing back");
    Matcher draining = DRAINING.matcher(stderr);
    assertThat(draining.find()).as(stderr).isTrue();
    int inFlightAtSigterm = Integer.parseInt(draining.group(1));
    assertThat(inFlightAtSigterm).as("captions in flight at SIGTERM").isBetween(1, drainImageCount);
    assertThat(ProcessGroups.liveMembers(second.pid())).as("left after SIGTERM").isEmpty();
    assertThat(ProcessGroups.listening(port)).as("the engine's port after SIGTERM").isFalse();
    DatasetResult drained =
        client.newUntypedWorkflowStub(drainId).getResult(3, TimeUnit.MINUTES, DatasetResult.class);
    assertThat(drained.counts().accepted()).isEqualTo(drainImageCount);
    assertThat(describesCompletedBy(captioner, drainId, drainImages))
        .as("every caption of the second run finished by the draining worker")
        .isEqualTo(drainImageCount);
    System.out.printf(
        "captioner-engine-it: SIGTERM with %d of %d captions of up to %d tokens in flight (up to"
            + " %d at the engine, the rest queued): all finished, exit 0 after %d ms, engine group"
            + " and port gone%n",
        inFlightAtSigterm, drainImageCount, LONG_CAPTION_TOKENS, SLOTS, drainMillis);
  }

  /**
   * How many caption activities of dataset {@code id} the worker completed, from the histories of
   * its image workflows (a completion names the worker as {@code pid@host}).
   */
  private int describesCompletedBy(LoupeProcess worker, String id, Path images) throws IOException {
    String identity = worker.process().pid() + "@";
    int completed = 0;
    try (Stream<Path> files = Files.list(images)) {
      for (Path image : files.sorted().toList()) {
        String sha256 = ContentHash.sha256Hex(Files.readAllBytes(image));
        for (HistoryEvent event :
            client.fetchHistory(ImageWorkflow.workflowId(id, sha256)).getEvents()) {
          if (event.hasActivityTaskCompletedEventAttributes()
              && event
                  .getActivityTaskCompletedEventAttributes()
                  .getIdentity()
                  .startsWith(identity)) {
            completed++;
          }
        }
      }
    }
    return completed;
  }

  @Test
  void modelTheEngineCannotLoadFailsThePoolStartWithTheEnginesLastLines() throws Exception {
    Path model = Files.createDirectories(work.resolve("not-a-model"));
    Files.writeString(model.resolve("config.json"), "{\"model_type\": \"loupe-no-such-model\"}");
    int port = FakeModelServerCommand.freePort();
    LoupeProcess captioner =
        start(
            Map.of("LOUPE_LOG_LEVEL", "INFO"),
            "worker",
            "--pool",
            "captioner",
            "--model-command",
            repository.resolve("scripts/engine-serve")
                + " foreground --port "
                + port
                + " --model "
                + model,
            "--model-url",
            "http://127.0.0.1:" + port + "/v1");
    assertThat(captioner.waitFor(Duration.ofMinutes(4))).as(captioner.stderr()).isEqualTo(1);
    String stderr = captioner.stderr();
    String failure = stderr.substring(stderr.indexOf("loupe: the captioner pool cannot start:"));
    System.out.println("captioner-engine-it: " + failure.lines().limit(12).toList());
    assertThat(failure)
        .contains("exited with code")
        .contains("before it answered; its last lines:")
        .contains("loupe-no-such-model");
    assertThat(stderr).doesNotContain("model server answers at");
    Matcher pid = SERVER_PID.matcher(stderr);
    assertThat(pid.find()).as(stderr).isTrue();
    assertThat(ProcessGroups.liveMembers(Long.parseLong(pid.group(1)))).isEmpty();
  }

  private static void setup(String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of("scripts/engine-setup"));
    command.addAll(List.of(arguments));
    Process process =
        new ProcessBuilder(command)
            .directory(repository.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!process.waitFor(25, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not finish within 25 minutes");
    }
    assertThat(process.exitValue()).as(String.join(" ", command)).isZero();
  }

  /** The captioner worker's one child: the engine's API server, leader of its process group. */
  private static ProcessHandle engineOf(LoupeProcess worker) {
    List<ProcessHandle> children =
        worker.process().children().filter(ProcessHandle::isAlive).toList();
    assertThat(children).as("one model server under the worker").hasSize(1);
    return children.get(0);
  }

  private Path images(String name, int count) throws IOException {
    Path dir = Files.createDirectories(work.resolve(name));
    for (int i = 0; i < count; i++) {
      int width = TestImages.WIDTH + 8 * i;
      BufferedImage scene =
          switch (i % 3) {
            case 0 -> TestScenes.photoScene(width, TestImages.HEIGHT);
            case 1 -> TestScenes.barChart(width, TestImages.HEIGHT);
            default -> TestScenes.documentPage(width, TestImages.HEIGHT);
          };
      Files.write(dir.resolve("image-" + i + ".png"), TestImages.png(scene));
    }
    return dir;
  }

  private LoupeProcess start(Map<String, String> env, String... args) throws IOException {
    Map<String, String> all = new HashMap<>(env);
    all.put("TEMPORAL_ADDRESS", address);
    LoupeProcess process = LoupeProcess.start(work, all, args);
    processes.add(process);
    return process;
  }

  private void run(String... args) throws Exception {
    LoupeProcess process = start(Map.of(), args);
    assertThat(process.waitFor(Duration.ofMinutes(1))).as(process.stderr()).isZero();
  }

  private static void awaitMetrics(
      int port, Predicate<PrometheusText> condition, Duration timeout, LoupeProcess worker)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!worker.process().isAlive()) {
        throw new AssertionError("the worker exited; stderr:\n" + tail(worker.stderr()));
      }
      PrometheusText metrics = PrometheusText.await(port, timeout);
      if (condition.test(metrics)) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(
            "metrics condition not met within " + timeout + "; stderr:\n" + tail(worker.stderr()));
      }
      Thread.sleep(200);
    }
  }

  private static String tail(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return bytes.length <= 20_000
        ? text
        : new String(bytes, bytes.length - 20_000, 20_000, StandardCharsets.UTF_8);
  }
}
