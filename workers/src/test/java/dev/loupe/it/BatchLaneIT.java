package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.config.EndpointSettings;
import dev.loupe.contract.BatchProgress;
import dev.loupe.contract.BatchWorkflow;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.ImageWorkflow;
import dev.loupe.contract.Progress;
import dev.loupe.image.TestImages;
import dev.loupe.provider.anthropic.FakeAnthropicServer;
import dev.loupe.provider.fake.FakeBatches;
import dev.loupe.provider.fake.FakeBatches.LineFate;
import dev.loupe.provider.gemini.FakeGeminiServer;
import dev.loupe.provider.openai.FakeOpenAiServer;
import dev.loupe.recipe.ProjectConfig;
import dev.loupe.storage.Locations;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The batch lane on the real dev server, with every pool in this JVM through the production
 * modules, against the fake OpenAI Batch API: a dataset whose stages are all in the batch lane
 * completes with the same samples as online, each line submitted once; lines that fail or expire in
 * a batch are submitted once more, in a later batch; a rejected batch fails its images with the
 * provider's words; workers that die between submit and results lose nothing and submit nothing
 * twice.
 */
class BatchLaneIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int IMAGES = 4;

  /** allava's four calls per image: describe, ask, answer, evaluate. */
  private static final int CALLS_PER_IMAGE = 4;

  @TempDir Path work;

  @Test
  void batchLaneGivesTheSamplesOfTheOnlineLaneAndSubmitsEachLineOnce() throws Exception {
    Path images = images();
    Path config = recipes();
    try (InProcessWorkers workers = start(FakeOpenAiServer.start(), config)) {
      String onlineId = "online-it-" + System.nanoTime();
      DatasetResult online = run(workers, onlineId, "allava", images, work.resolve("online"));
      int onlineCalls = workers.fake.requestCount();
      String id = "batch-it-" + System.nanoTime();
      DatasetResult batch = run(workers, id, "allava-batch", images, work.resolve("batch"));

      assertThat(online.counts().accepted()).isEqualTo(IMAGES);
      assertThat(batch.counts().accepted()).isEqualTo(IMAGES);
      assertThat(samples(work.resolve("batch"))).isEqualTo(samples(work.resolve("online")));
      Map<String, Integer> lines = workers.fake.batches().linesReceived();
      assertThat(lines).hasSize(IMAGES * CALLS_PER_IMAGE);
      assertThat(Set.copyOf(lines.values())).containsExactly(1);
      assertThat(workers.fake.requestCount() - onlineCalls).isEqualTo(IMAGES * CALLS_PER_IMAGE);
      // maxRequests 3: the lines went in several batches.
      assertThat(workers.fake.batches().batchesCreated()).isGreaterThan(1);
      BatchProgress lane = lane(workers, id);
      assertThat(lane.linesSubmitted()).isEqualTo(IMAGES * CALLS_PER_IMAGE);
      assertThat(lane.linesDone()).isEqualTo(IMAGES * CALLS_PER_IMAGE);
      assertThat(lane.linesFailed()).isZero();
      assertThat(lane.batchesOpen()).isZero();
      // The dataset's own progress (query and UI details) carries the lane's figures.
      Progress progress =
          workers.client().newUntypedWorkflowStub(id).query("progress", Progress.class);
      assertThat(progress.batchesOrEmpty())
          .singleElement()
          .satisfies(
              reported -> {
                assertThat(reported.endpoint()).isEqualTo(InProcessWorkers.ENDPOINT);
                assertThat(reported.linesSubmitted()).isEqualTo(IMAGES * CALLS_PER_IMAGE);
                assertThat(reported.linesDone()).isEqualTo(IMAGES * CALLS_PER_IMAGE);
              });
      Set<String> shas = samples(work.resolve("batch")).keySet();
      System.out.printf(
          java.util.Locale.ROOT,
          "BATCH_LANE history events per image: batch %.1f, online %.1f; batch workflow %d"
              + " events for %d images, %d batches%n",
          eventsPerImage(workers, id, shas),
          eventsPerImage(workers, onlineId, shas),
          events(workers, BatchWorkflow.workflowId(id, InProcessWorkers.ENDPOINT)),
          IMAGES,
          workers.fake.batches().batchesCreated());
    }
  }

  private static double eventsPerImage(
      InProcessWorkers workers, String datasetId, Set<String> shas) {
    long total = 0;
    for (String sha : shas) {
      total += events(workers, ImageWorkflow.workflowId(datasetId, sha));
    }
    return (double) total / shas.size();
  }

  private static int events(InProcessWorkers workers, String workflowId) {
    return workers.client().fetchHistory(workflowId).getHistory().getEventsCount();
  }

  @Test
  void failedAndExpiredLinesAreSubmittedOnceMoreInALaterBatchOnly() throws Exception {
    Path images = images();
    try (InProcessWorkers workers = start(FakeOpenAiServer.start(), recipes())) {
      FakeOpenAiServer fake = workers.fake;
      Map<String, LineFate> doomed = new ConcurrentHashMap<>();
      fake.batches()
          .setLineRule(
              customId -> {
                if (fake.batches().linesReceived().getOrDefault(customId, 0) > 1) {
                  return Optional.empty();
                }
                if (doomed.size() < 2) {
                  doomed.putIfAbsent(
                      customId,
                      doomed.isEmpty()
                          ? new LineFate.Fails(500, "The server had an error (fake batch line).")
                          : new LineFate.Expires());
                }
                return Optional.ofNullable(doomed.get(customId));
              });

      DatasetResult result =
          run(
              workers,
              "batch-retry-" + System.nanoTime(),
              "allava-batch",
              images,
              work.resolve("out"));

      assertThat(result.counts().accepted()).isEqualTo(IMAGES);
      Map<String, Integer> lines = fake.batches().linesReceived();
      assertThat(doomed).hasSize(2);
      for (Map.Entry<String, Integer> line : lines.entrySet()) {
        assertThat(line.getValue())
            .as("line %s", line.getKey())
            .isEqualTo(doomed.containsKey(line.getKey()) ? 2 : 1);
      }
      assertThat(lines).hasSize(IMAGES * CALLS_PER_IMAGE);
    }
  }

  @Test
  void rejectedBatchFailsItsImagesWithTheProvidersMessage() throws Exception {
    Path images = images();
    try (InProcessWorkers workers = start(FakeOpenAiServer.start(), recipes())) {
      workers.fake.batches().rejectNextBatch("Model fake-model is not available in batch (fake).");

      DatasetResult result =
          run(
              workers,
              "batch-rejected-" + System.nanoTime(),
              "allava-batch",
              images,
              work.resolve("out"));

      assertThat(result.counts().failed()).isPositive();
      assertThat(result.counts().accepted() + result.counts().failed()).isEqualTo(IMAGES);
      List<String> failed = Files.readAllLines(work.resolve("out/failed.jsonl"));
      assertThat(failed).hasSize((int) result.counts().failed());
      assertThat(failed.get(0)).contains("Model fake-model is not available in batch (fake).");
    }
  }

  @Test
  void workersThatDieBetweenSubmitAndResultsLoseNoLineAndSubmitNoneTwice() throws Exception {
    Path images = images();
    Path config = recipes();
    FakeOpenAiServer fake = FakeOpenAiServer.start();
    String id = "batch-crash-" + System.nanoTime();
    InProcessWorkers first = start(fake, config);
    fake.batches().setPollsBeforeDone(Integer.MAX_VALUE);
    first.start(id, request("allava-batch", images, work.resolve("out")));
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (fake.batches().batchesCreated() < 1 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(fake.batches().batchesCreated()).as("a batch was submitted").isPositive();
    first.crash();
    fake.batches().setPollsBeforeDone(0);

    try (InProcessWorkers second = start(fake, config)) {
      DatasetResult result =
          second
              .client()
              .newUntypedWorkflowStub(id)
              .getResult(3, TimeUnit.MINUTES, DatasetResult.class);

      assertThat(result.counts().accepted()).isEqualTo(IMAGES);
      Map<String, Integer> lines = fake.batches().linesReceived();
      assertThat(lines).hasSize(IMAGES * CALLS_PER_IMAGE);
      assertThat(Set.copyOf(lines.values())).containsExactly(1);
      BatchProgress lane = lane(second, id);
      assertThat(lane.linesDone()).isEqualTo(IMAGES * CALLS_PER_IMAGE);
      assertThat(second.client().newUntypedWorkflowStub(id).describe().getStatus())
          .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"anthropic", "gemini"})
  void anthropicAndGeminiBatchLanesCompleteWithEachLineSubmittedOnce(String provider)
      throws Exception {
    Path images = images();
    boolean anthropic = provider.equals("anthropic");
    try (java.io.Closeable server =
            anthropic ? FakeAnthropicServer.start(null) : FakeGeminiServer.start(null);
        InProcessWorkers workers =
            InProcessWorkers.startAgainst(
                4,
                recipes(),
                new EndpointSettings(
                    provider,
                    anthropic
                        ? ((FakeAnthropicServer) server).baseUrl()
                        : ((FakeGeminiServer) server).baseUrl(),
                    null,
                    anthropic ? "claude-haiku-4-5" : "gemini-2.5-flash",
                    30,
                    8,
                    null,
                    null,
                    null,
                    new EndpointSettings.BatchConfig(3, null, 1, 1)))) {
      FakeBatches batches =
          anthropic
              ? ((FakeAnthropicServer) server).batches()
              : ((FakeGeminiServer) server).batches();
      String id = provider + "-batch-it-" + System.nanoTime();

      DatasetResult result = run(workers, id, "allava-batch", images, work.resolve("out"));

      assertThat(result.counts().accepted())
          .as(
              "counts %s, failed: %s, rejected: %s",
              result.counts(),
              failed(work.resolve("out")),
              lines(work.resolve("out/rejected.jsonl")))
          .isEqualTo(IMAGES);
      Map<String, Integer> lines = batches.linesReceived();
      assertThat(lines).hasSize(IMAGES * CALLS_PER_IMAGE);
      assertThat(Set.copyOf(lines.values())).containsExactly(1);
      assertThat(batches.batchesCreated()).isGreaterThan(1);
      BatchProgress lane = lane(workers, id);
      assertThat(lane.linesDone()).isEqualTo(IMAGES * CALLS_PER_IMAGE);
      // Priced at the batch rate: stats.json counts every call in the batch lane, with a cost.
      JsonNode byLane = JSON.readTree(work.resolve("out/stats.json").toFile()).path("by_lane");
      assertThat(byLane.path("batch").path("calls").asInt()).isEqualTo(IMAGES * CALLS_PER_IMAGE);
      assertThat(byLane.path("batch").path("cost_usd").asDouble()).isPositive();
      assertThat(byLane.has("online")).as("by_lane: %s", byLane).isFalse();
    }
  }

  @Test
  void lineThatKeepsFailingInBatchesMakesItsLastAttemptOnlineWhereConfigured() throws Exception {
    Path images = images();
    FakeOpenAiServer fake = FakeOpenAiServer.start();
    fake.batches()
        .setLineRule(
            customId -> Optional.of(new LineFate.Fails(500, "The server had an error (fake).")));
    try (InProcessWorkers workers =
        InProcessWorkers.start(
            2,
            recipes(),
            fake,
            baseUrl ->
                new EndpointSettings(
                    "openai",
                    baseUrl,
                    null,
                    "gpt-4.1-mini",
                    30,
                    8,
                    null,
                    null,
                    null,
                    new EndpointSettings.BatchConfig(20, null, 1, 1, true)))) {
      String id = "batch-fallback-" + System.nanoTime();

      DatasetResult result = run(workers, id, "allava-batch", images, work.resolve("out"));

      // Two attempts: the first failed in its batch, the last went online and was answered.
      assertThat(result.counts().accepted()).isEqualTo(IMAGES);
      Map<String, Integer> lines = fake.batches().linesReceived();
      assertThat(lines).hasSize(IMAGES * CALLS_PER_IMAGE);
      assertThat(Set.copyOf(lines.values())).containsExactly(1);
      JsonNode stats = JSON.readTree(work.resolve("out/stats.json").toFile());
      assertThat(stats.path("by_lane").path("online").path("calls").asInt())
          .as("stats.json by_lane: %s", stats.path("by_lane"))
          .isEqualTo(IMAGES * CALLS_PER_IMAGE);
    }
  }

  /** The batch workflow's last word, once it has completed. */
  private static BatchProgress lane(InProcessWorkers workers, String datasetId)
      throws java.util.concurrent.TimeoutException {
    WorkflowStub lane =
        workers
            .client()
            .newUntypedWorkflowStub(BatchWorkflow.workflowId(datasetId, InProcessWorkers.ENDPOINT));
    return lane.getResult(1, TimeUnit.MINUTES, BatchProgress.class);
  }

  private static InProcessWorkers start(FakeOpenAiServer fake, Path config) {
    return InProcessWorkers.start(
        4,
        config,
        fake,
        baseUrl ->
            new EndpointSettings(
                "openai",
                baseUrl,
                null,
                "gpt-4.1-mini",
                30,
                8,
                null,
                null,
                null,
                new EndpointSettings.BatchConfig(3, null, 1, 1)));
  }

  private static DatasetResult run(
      InProcessWorkers workers, String id, String recipe, Path images, Path out)
      throws java.util.concurrent.TimeoutException {
    return workers
        .start(id, request(recipe, images, out))
        .getResult(3, TimeUnit.MINUTES, DatasetResult.class);
  }

  private static DatasetRequest request(String recipe, Path images, Path out) {
    return DatasetRequest.of(dir(images), dir(out))
        .withRecipe(recipe)
        .withWindow(IMAGES)
        .withFailedWaitHours(0.0);
  }

  /** The failed items' lines, for assertion messages. */
  private static List<String> failed(Path out) throws IOException {
    return lines(out.resolve("failed.jsonl"));
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  /** The samples' content by image: caption, questions and answers (not usage or timing). */
  private static Map<String, List<String>> samples(Path out) throws IOException {
    Map<String, List<String>> samples = new TreeMap<>();
    for (String line : Files.readAllLines(out.resolve("samples.jsonl"))) {
      JsonNode sample = JSON.readTree(line);
      List<String> texts = new ArrayList<>();
      texts.add(sample.path("caption").path("text").asText());
      for (JsonNode qa : sample.path("qa")) {
        texts.add(qa.path("question").asText());
        texts.add(qa.path("answer").asText());
      }
      samples.put(sample.path("id").asText(), texts);
    }
    return samples;
  }

  private Path images() throws IOException {
    Path images = Files.createDirectories(work.resolve("images"));
    List<byte[]> kinds =
        List.of(
            TestImages.barChartPng(),
            TestImages.receiptPng(),
            TestImages.documentPagePng(),
            TestImages.photoJpeg());
    for (int i = 0; i < IMAGES; i++) {
      Files.write(images.resolve("img-" + i + (i == 3 ? ".jpg" : ".png")), kinds.get(i));
    }
    return images;
  }

  /** A config directory with {@code allava-batch}: allava with every stage in the batch lane. */
  private Path recipes() throws IOException {
    String allava = Files.readString(ProjectConfig.directory().resolve("recipes/allava.yaml"));
    Path recipes = Files.createDirectories(work.resolve("config/recipes"));
    Files.writeString(
        recipes.resolve("allava-batch.yaml"),
        allava
            .replace("name: allava", "name: allava-batch")
            .replaceAll("(?m)^(    maxOutputTokens: \\d+)$", "$1\n    lane: batch"));
    return recipes.getParent();
  }

  private static String dir(Path path) {
    return Locations.asDirectory(Locations.file(path)).toString();
  }
}
