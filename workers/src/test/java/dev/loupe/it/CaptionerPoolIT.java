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
import dev.loupe.provider.openai.FakeOpenAiServer;
import io.temporal.api.history.v1.ActivityTaskStartedEventAttributes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The captioner pool on a real Temporal dev server: {@code loupe worker --pool captioner} hosts its
 * model server (the fake OpenAI server as a child JVM, started from {@code --model-command}), polls
 * only while it answers, restarts it when it dies, serves Prometheus metrics, and drains on
 * SIGTERM. Beside it, a {@code workflows,cpu,api} worker with a fake frontier endpoint runs the
 * seed, so the whole ShareGPT4V loop (seed → export → bulk) runs as the README describes it.
 */
class CaptionerPoolIT {
  private static final Duration MODEL_DELAY = Duration.ofMillis(1500);
  private static final Map<String, String> CAPTIONER_OK =
      Map.of("endpoint", "captioner", "stage", "describe", "outcome", "ok");

  @TempDir Path work;
  private final List<LoupeProcess> processes = new ArrayList<>();
  private final ObjectMapper json = new ObjectMapper();
  private WorkflowServiceStubs service;
  private WorkflowClient client;
  private String address;

  @BeforeEach
  void connect() {
    address = TestServers.temporalAddress();
    service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    client =
        WorkflowClient.newInstance(
            service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
  }

  @AfterEach
  void stopEverything() {
    for (LoupeProcess process : processes) {
      process.process().descendants().forEach(ProcessHandle::destroyForcibly);
      process.process().destroyForcibly();
    }
    service.shutdown();
  }

  @Test
  void shareCaptionerLoopSurvivesItsModelServerDyingAndEveryImageCompletes() throws Exception {
    Path seedImages = images("seed", 2, 0);
    Path bulkImages = images("bulk", 6, 100);
    try (FakeOpenAiServer frontier = FakeOpenAiServer.start()) {
      int poolsMetrics = FakeModelServerCommand.freePort();
      LoupeProcess pools =
          start(
              Map.of("OPENAI_BASE_URL", frontier.baseUrl()),
              "worker",
              "--pool",
              "workflows,cpu,api",
              "--metrics-port",
              Integer.toString(poolsMetrics));

      // 1. The seed: a frontier model writes the detailed captions.
      Path seedOut = work.resolve("seed-out");
      String seedId = "captioner-it-seed-" + System.nanoTime();
      startDataset(seedImages, seedOut, "sharegpt4v", seedId);
      assertThat(result(seedId).counts().accepted()).isEqualTo(2);

      // 2. The seed as the captioner's fine-tuning set.
      Path seedSet = work.resolve("captioner-seed.json");
      LoupeProcess export =
          run(
              Map.of(),
              "export",
              "--captioner-seed",
              seedOut.toString(),
              "--out",
              seedSet.toString(),
              "--image-root",
              seedImages.toString());
      assertThat(export.stderr()).contains("wrote 2 captioner training samples");
      JsonNode samples = json.readTree(seedSet.toFile());
      assertThat(samples).hasSize(2);
      assertThat(samples.get(0).at("/conversations/0/value").asText())
          .isEqualTo("<image>\nAnalyze the image in a comprehensive and detailed manner.");
      assertThat(samples.get(0).at("/conversations/1/value").asText()).startsWith("[fake]");
      assertThat(samples.get(0).get("image").asText()).matches("seed-\\d\\.png");

      // 3. The bulk run waits in the captioner's queue until a captioner polls it.
      Path bulkOut = work.resolve("bulk-out");
      String bulkId = "captioner-it-bulk-" + System.nanoTime();
      startDataset(bulkImages, bulkOut, "sharegpt4v-captioner", bulkId);
      String table =
          awaitPools(row -> row.contains("loupe-captioner") && !backlogOf(row).equals("0"));
      String captionerRow =
          table.lines().filter(l -> l.contains("loupe-captioner")).findFirst().orElseThrow();
      assertThat(Long.parseLong(backlogOf(captionerRow))).isBetween(1L, 6L);
      if (column(captionerRow, 7).equals("0")) {
        // The server remembers pollers for minutes: a captioner of an earlier test may still count.
        assertThat(captionerRow).endsWith("no workers poll: start this pool");
      }

      // 4. A GPU worker hosting the captioner; its model server dies mid-run.
      int modelPort = FakeModelServerCommand.freePort();
      int captionerMetrics = FakeModelServerCommand.freePort();
      LoupeProcess captioner =
          start(
              Map.of("LOUPE_LOG_LEVEL", "INFO"),
              "worker",
              "--pool",
              "captioner",
              "--model-command",
              FakeModelServerCommand.delayed(modelPort, MODEL_DELAY),
              "--model-url",
              "http://127.0.0.1:" + modelPort + "/v1",
              "--batch-slots",
              "2",
              // Exact counts of captions in flight below: none held beyond the batch.
              "--queued-captions",
              "0",
              "--metrics-port",
              Integer.toString(captionerMetrics));
      // Two captions done, the next two on the wire: the server dies under them.
      awaitMetrics(
          captionerMetrics,
          m ->
              m.sum("loupe_model_calls_total", CAPTIONER_OK) >= 2
                  && m.sum("loupe_activities_in_flight", Map.of("pool", "captioner")) == 2,
          Duration.ofMinutes(2),
          captioner);
      Thread.sleep(300);
      ProcessHandle server = modelServerOf(captioner);
      long killedAt = System.nanoTime();
      server.destroyForcibly();
      awaitMetrics(
          captionerMetrics,
          m -> m.sum("loupe_model_server_up") == 0,
          Duration.ofSeconds(10),
          captioner);
      long detectedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      awaitMetrics(
          captionerMetrics,
          m -> m.sum("loupe_model_server_up") == 1,
          Duration.ofSeconds(60),
          captioner);
      long resumedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);

      DatasetResult bulk = result(bulkId);
      assertThat(bulk.counts().accepted()).as(captioner.stderr()).isEqualTo(6);
      assertThat(bulk.counts().failed()).isZero();
      assertThat(modelServerOf(captioner).pid()).isNotEqualTo(server.pid());

      // 5. Metrics: the SDK's and Loupe's, with their labels and the run's values.
      PrometheusText metrics = PrometheusText.scrape(captionerMetrics);
      Files.writeString(Path.of("target", "captioner-it-metrics.txt"), metrics.text());
      System.out.printf(
          "captioner-it: model server killed; polling suspended within %d ms, resumed %d ms after"
              + " the kill; downtime recorded %.3f s%n",
          detectedMillis, resumedMillis, metrics.sum("loupe_model_server_downtime_seconds_sum"));
      assertThat(metrics.sum("loupe_model_server_restarts_total")).isEqualTo(1);
      assertThat(metrics.sum("loupe_model_server_up")).isEqualTo(1);
      assertThat(metrics.sum("loupe_model_server_downtime_seconds_count")).isEqualTo(1);
      assertThat(metrics.sum("loupe_model_calls_total", CAPTIONER_OK)).isEqualTo(6);
      assertThat(
              metrics.sum(
                  "loupe_model_calls_total",
                  Map.of("endpoint", "captioner", "stage", "describe", "outcome", "transport")))
          .as("the captions on the wire when the server died failed as transport errors")
          .isBetween(1.0, 2.0);
      long inputTokens = 0;
      long outputTokens = 0;
      for (String line : Files.readAllLines(bulkOut.resolve("samples.jsonl"))) {
        JsonNode usage = json.readTree(line).get("usage");
        inputTokens += usage.get("input_tokens").asLong();
        outputTokens += usage.get("output_tokens").asLong();
      }
      Map<String, String> served =
          Map.of("endpoint", "captioner", "stage", "describe", "model", "fake-model");
      assertThat(metrics.sum("loupe_model_input_tokens_total", served)).isEqualTo(inputTokens);
      assertThat(metrics.sum("loupe_model_output_tokens_total", served)).isEqualTo(outputTokens);
      assertThat(
              metrics.sum(
                  "loupe_model_call_latency_seconds_count",
                  Map.of("endpoint", "captioner", "stage", "describe")))
          .isEqualTo(6);
      assertThat(
              metrics.sum(
                  "loupe_stage_duration_seconds_bucket",
                  Map.of("pool", "captioner", "stage", "describe", "outcome", "ok", "le", "1.0")))
          .as("every caption took at least the model's %s", MODEL_DELAY)
          .isZero();
      assertThat(metrics.sum("loupe_activities_in_flight", Map.of("pool", "captioner"))).isZero();
      // The batch slots, idle again (one may be held by a waiting poll); reported every second.
      Map<String, String> captionerSlots =
          Map.of("task_queue", "loupe-captioner", "worker_type", "ActivityWorker");
      awaitMetrics(
          captionerMetrics,
          m -> {
            double idle = m.sum("temporal_worker_task_slots_available", captionerSlots);
            return idle >= 1 && idle <= 2;
          },
          Duration.ofSeconds(10),
          captioner);
      assertThat(
              metrics.sum(
                  "temporal_activity_execution_latency_seconds_count",
                  Map.of("activity_type", "CaptionerDescribe", "task_queue", "loupe-captioner")))
          .as("executions, the failed ones included")
          .isGreaterThanOrEqualTo(6);
      assertThat(metrics.has("temporal_request_total")).isTrue();

      PrometheusText poolsText = PrometheusText.scrape(poolsMetrics);
      assertThat(
              poolsText.sum(
                  "loupe_model_calls_total",
                  Map.of("endpoint", "openai", "stage", "describe", "outcome", "ok")))
          .isEqualTo(2);
      assertThat(
              poolsText.sum(
                  "loupe_stage_duration_seconds_count",
                  Map.of("pool", "workflows", "stage", "persist", "outcome", "ok")))
          .isEqualTo(8);
      // The SDK reports its metrics every second: the last completion may still be on its way.
      awaitMetrics(
          poolsMetrics,
          m ->
              m.sum("temporal_workflow_completed_total", Map.of("workflow_type", "ImageWorkflow"))
                  == 8,
          Duration.ofSeconds(10),
          pools);

      String after =
          awaitPools(row -> row.contains("loupe-captioner") && backlogOf(row).equals("0"));
      String idleRow =
          after.lines().filter(l -> l.contains("loupe-captioner")).findFirst().orElseThrow();
      assertThat(Integer.parseInt(column(idleRow, 7))).as("captioner pollers").isPositive();
      assertThat(idleRow).doesNotContain("no workers poll");

      // 6. SIGTERM: both workers stop cleanly, the model server with them.
      for (LoupeProcess worker : List.of(captioner, pools)) {
        worker.process().destroy();
        assertThat(worker.waitFor(Duration.ofSeconds(45))).as(worker.stderr()).isZero();
        assertThat(worker.stderr()).contains("worker stopped");
      }
      assertThat(captioner.stderr())
          .contains("model server at http://127.0.0.1:" + modelPort + "/v1 is down")
          .contains("restarting the model server");
      assertThat(modelServersOf(captioner)).isEmpty();
    }
  }

  @Test
  void sigtermFinishesInFlightCaptionsWithinTheDrainTimeAndHandsBackTheRest() throws Exception {
    Path images = images("drain", 4, 200);
    start(Map.of(), "worker", "--pool", "workflows,cpu");
    String id = "captioner-it-drain-" + System.nanoTime();
    startDataset(images, work.resolve("drain-out"), "sharegpt4v-captioner", id);
    Map<String, String> captionerPool = Map.of("pool", "captioner");

    // Captions shorter than the drain time finish before the worker exits.
    int finishingMetrics = FakeModelServerCommand.freePort();
    LoupeProcess finishing = captionerWorker(Duration.ofSeconds(3), finishingMetrics, 20);
    awaitMetrics(
        finishingMetrics,
        m -> m.sum("loupe_activities_in_flight", captionerPool) == 2,
        Duration.ofMinutes(2),
        finishing);
    ProcessHandle finishingServer = modelServerOf(finishing);
    long finishingStop = System.nanoTime();
    finishing.process().destroy();
    assertThat(finishing.waitFor(Duration.ofSeconds(40))).as(finishing.stderr()).isZero();
    long finishingMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - finishingStop);
    assertThat(finishing.stderr())
        .contains("in-flight tasks finished in")
        .doesNotContain("handing back");
    assertThat(finishingServer.isAlive()).as("the model server stops with its worker").isFalse();

    // Captions longer than the drain time are handed back when it runs out.
    int slowMetrics = FakeModelServerCommand.freePort();
    LoupeProcess slow = captionerWorker(Duration.ofMinutes(2), slowMetrics, 2);
    awaitMetrics(
        slowMetrics,
        m -> m.sum("loupe_activities_in_flight", captionerPool) == 2,
        Duration.ofMinutes(2),
        slow);
    long slowStop = System.nanoTime();
    slow.process().destroy();
    assertThat(slow.waitFor(Duration.ofSeconds(40))).as(slow.stderr()).isZero();
    long slowMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - slowStop);
    assertThat(slow.stderr()).contains("handing back 2 in-flight task(s) after 2 s");

    // A captioner on FakeOpenAiServer's own main finishes the run with the handed-back captions.
    int fastPort = FakeModelServerCommand.freePort();
    LoupeProcess fast =
        start(
            Map.of(),
            "worker",
            "--pool",
            "captioner",
            "--model-command",
            FakeModelServerCommand.on(fastPort),
            "--model-url",
            "http://127.0.0.1:" + fastPort + "/v1");
    DatasetResult result = result(id);
    assertThat(result.counts().accepted()).isEqualTo(4);

    Map<String, Integer> finishedBy = new HashMap<>();
    int handedBack = 0;
    for (Path image : Files.list(images).sorted().toList()) {
      String sha256 = ContentHash.sha256Hex(Files.readAllBytes(image));
      for (HistoryEvent event :
          client.fetchHistory(ImageWorkflow.workflowId(id, sha256)).getEvents()) {
        if (event.hasActivityTaskStartedEventAttributes()) {
          ActivityTaskStartedEventAttributes started =
              event.getActivityTaskStartedEventAttributes();
          String worker = started.getIdentity().split("@")[0];
          if (worker.equals(Long.toString(finishing.process().pid()))
              || worker.equals(Long.toString(fast.process().pid()))) {
            finishedBy.merge(worker, 1, Integer::sum);
          }
          if (started.getLastFailure().getMessage().contains("handed back to the queue")) {
            handedBack++;
          }
        }
      }
    }
    assertThat(finishedBy)
        .as("the draining worker finished its two captions, the last worker the other two")
        .containsEntry(Long.toString(finishing.process().pid()), 2)
        .containsEntry(Long.toString(fast.process().pid()), 2);
    assertThat(handedBack).isEqualTo(2);

    System.out.printf(
        "captioner-it: SIGTERM with captions in flight: exit 0 after %d ms (drained, 3 s"
            + " captions, drain 20 s) and %d ms (handed back, drain 2 s)%n",
        finishingMillis, slowMillis);
  }

  /** A captioner worker whose model answers each caption after {@code delay}. */
  private LoupeProcess captionerWorker(Duration delay, int metricsPort, int drainSeconds)
      throws IOException {
    int modelPort = FakeModelServerCommand.freePort();
    return start(
        Map.of("LOUPE_LOG_LEVEL", "INFO"),
        "worker",
        "--pool",
        "captioner",
        "--model-command",
        FakeModelServerCommand.delayed(modelPort, delay),
        "--model-url",
        "http://127.0.0.1:" + modelPort + "/v1",
        "--batch-slots",
        "2",
        "--queued-captions",
        "0",
        "--drain-seconds",
        Integer.toString(drainSeconds),
        "--metrics-port",
        Integer.toString(metricsPort));
  }

  private Path images(String prefix, int count, int seed) throws IOException {
    Path dir = Files.createDirectories(work.resolve(prefix));
    for (int i = 0; i < count; i++) {
      int width = TestImages.WIDTH + 8 * (seed + i);
      // Different scenes, since the sharegpt4v recipe drops near-duplicate images.
      java.awt.image.BufferedImage scene =
          switch (i % 3) {
            case 0 -> TestScenes.photoScene(width, TestImages.HEIGHT);
            case 1 -> TestScenes.barChart(width, TestImages.HEIGHT);
            default -> TestScenes.documentPage(width, TestImages.HEIGHT);
          };
      Files.write(dir.resolve(prefix + "-" + i + ".png"), TestImages.png(scene));
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

  /** Runs a short command to completion; asserts it exits 0. */
  private LoupeProcess run(Map<String, String> env, String... args) throws Exception {
    LoupeProcess process = start(env, args);
    assertThat(process.waitFor(Duration.ofMinutes(1))).as(process.stderr()).isZero();
    return process;
  }

  private void startDataset(Path images, Path out, String recipe, String id) throws Exception {
    run(
        Map.of(),
        "start",
        images.toString(),
        "--out",
        out.toString(),
        "--recipe",
        recipe,
        "--id",
        id);
  }

  private DatasetResult result(String id) throws TimeoutException {
    return client.newUntypedWorkflowStub(id).getResult(3, TimeUnit.MINUTES, DatasetResult.class);
  }

  /** Runs {@code loupe pools} until a row matches; returns that table. */
  private String awaitPools(Predicate<String> row) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String table = "";
    while (System.nanoTime() - deadline < 0) {
      table = run(Map.of(), "pools").stdout();
      if (table.lines().anyMatch(row)) {
        return table;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("no matching row in `loupe pools` within 60 s:\n" + table);
  }

  private static String backlogOf(String row) {
    return column(row, 3);
  }

  /** POOL, TASK QUEUE, TASKS, BACKLOG, AGE, ADD/S, DISPATCH/S, POLLERS, NOTE… */
  private static String column(String row, int index) {
    return row.strip().split("\\s+")[index];
  }

  private static void awaitMetrics(
      int port, Predicate<PrometheusText> condition, Duration timeout, LoupeProcess worker)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      PrometheusText metrics = PrometheusText.await(port, timeout);
      if (condition.test(metrics)) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(
            "metrics condition not met within " + timeout + "; worker stderr:\n" + worker.stderr());
      }
      Thread.sleep(50);
    }
  }

  private static ProcessHandle modelServerOf(LoupeProcess worker) {
    List<ProcessHandle> servers = modelServersOf(worker);
    assertThat(servers).as("one model server under the worker").hasSize(1);
    return servers.get(0);
  }

  private static List<ProcessHandle> modelServersOf(LoupeProcess worker) {
    return worker
        .process()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(
            p ->
                p.info()
                    .commandLine()
                    .map(line -> line.contains(FakeModelServerCommand.MARKER))
                    .orElse(false))
        .toList();
  }
}
