package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.loupe.provider.openai.FakeOpenAiServer;
import dev.loupe.recipe.ProjectConfig;
import dev.loupe.worker.LoupeModule;
import dev.loupe.worker.Pool;
import dev.loupe.worker.PoolRegistrar;
import dev.loupe.worker.TemporalModule;
import io.temporal.client.WorkflowOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every built-in recipe end to end: the production Guice modules on the real Temporal dev server,
 * real Tesseract, local files, and only the model endpoint replaced by a fake.
 */
class RecipesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static FakeOpenAiServer fake;
  private static RemoteTemporal temporal;

  @TempDir Path work;

  @BeforeAll
  static void startWorkers() throws IOException {
    fake = FakeOpenAiServer.start();
    LinkedHashMap<String, EndpointSettings> endpoints = new LinkedHashMap<>();
    endpoints.put(
        "fake", new EndpointSettings("openai", fake.baseUrl(), null, "gpt-4.1-mini", 30, 16, null));
    LoupeConfig config = new LoupeConfig(null, "fake", endpoints, null, 4, null);
    temporal = new RemoteTemporal(TestServers.temporalAddress(), "default", null);
    Guice.createInjector(
            Stage.PRODUCTION,
            new LoupeModule(
                TestRoots.withTemporaryDirectory(config),
                ProjectConfig.directory(),
                TestServers.freshCacheEnvironment(Map.of())),
            new TemporalModule(temporal))
        .getInstance(PoolRegistrar.class)
        .register(temporal.workerFactory(), EnumSet.allOf(Pool.class));
    temporal.workerFactory().start();
  }

  @AfterAll
  static void stopWorkers() {
    temporal.close();
    fake.close();
  }

  @BeforeEach
  void defaults() {
    fake.setVerdict(true, true);
  }

  @Test
  void textsquareReadsTextAsksSeveralQuestionsAndRecordsEveryCheck() throws Exception {
    Path images = Files.createDirectories(work.resolve("images"));
    Files.write(images.resolve("receipt.png"), TestImages.receiptPng());
    Files.write(images.resolve("chart.png"), TestImages.barChartPng());
    Files.write(images.resolve("page.png"), TestImages.documentPagePng());
    Files.write(images.resolve("receipt-copy.png"), TestImages.receiptPng());
    Files.write(images.resolve("truncated.jpg"), TestImages.truncatedJpeg());
    Files.write(images.resolve("tiny.png"), TestImages.tinyPng());
    Files.write(images.resolve("empty.png"), TestImages.empty());
    Files.write(images.resolve("notes.png"), TestImages.textFile());
    Files.write(images.resolve("bomb.png"), TestImages.pixelBombPng());
    long promptTokensBefore = fake.totalPromptTokens();
    long completionTokensBefore = fake.totalCompletionTokens();

    Path out = work.resolve("out");
    DatasetResult result = run(images, out, "textsquare");

    assertThat(result.counts().accepted()).isEqualTo(3);
    List<JsonNode> samples = lines(out.resolve("samples.jsonl"));
    assertThat(samples).hasSize(3);
    JsonNode receipt =
        samples.stream()
            .filter(s -> s.at("/image/uri").asText().contains("/receipt"))
            .findFirst()
            .orElseThrow();
    assertThat(receipt.get("ocr").asText()).contains("CORNER GROCERY", "Harbour Street");
    for (JsonNode sample : samples) {
      assertThat(sample.get("qa").size()).isGreaterThanOrEqualTo(2);
      for (JsonNode pair : sample.get("qa")) {
        assertThat(pair.get("answer").asText()).isNotBlank();
        assertThat(pair.get("reasoning").asText()).isNotBlank();
        assertThat(pair.get("checks").size()).isGreaterThanOrEqualTo(3);
        assertThat(pair.get("checks").fieldNames())
            .toIterable()
            .contains(
                "self_evaluation",
                "multi_prompt_consistency",
                "multi_context_consistency",
                "answerable_without_image");
        boolean allPass = true;
        for (JsonNode check : pair.get("checks")) {
          allPass &= check.get("pass").asBoolean();
        }
        assertThat(pair.get("accepted").asBoolean()).isEqualTo(allPass);
      }
      assertThat(sample.at("/caption/checks/caption_length/pass").asBoolean()).isTrue();
    }

    List<JsonNode> rejected = lines(out.resolve("rejected.jsonl"));
    assertThat(rejected)
        // receipt-copy.png lists first, so receipt.png is the copy recorded as the duplicate.
        .anySatisfy(r -> assertThat(r.toString()).contains("receipt.png", "duplicate"))
        .anySatisfy(
            r -> assertThat(r.toString()).contains("truncated.jpg", "bad_image", "truncated"))
        .anySatisfy(r -> assertThat(r.toString()).contains("tiny.png", "too_small"))
        .anySatisfy(r -> assertThat(r.toString()).contains("empty.png", "empty"))
        .anySatisfy(r -> assertThat(r.toString()).contains("notes.png", "not_an_image"))
        .anySatisfy(r -> assertThat(r.toString()).contains("bomb.png", "too_many_pixels"));

    JsonNode stats = JSON.readTree(out.resolve("stats.json").toFile());
    assertThat(stats.get("images_total").asLong()).isEqualTo(9);
    assertThat(stats.get("images_rejected").asLong()).isEqualTo(6);
    assertThat(stats.get("images_failed").asLong()).isZero();
    assertThat(stats.at("/tokens/input").asLong())
        .isEqualTo(fake.totalPromptTokens() - promptTokensBefore);
    assertThat(stats.at("/tokens/output").asLong())
        .isEqualTo(fake.totalCompletionTokens() - completionTokensBefore);
    assertThat(stats.get("by_stage").fieldNames())
        .toIterable()
        .contains("describe", "ask", "answer", "reason", "evaluate");
    JsonNode run = JSON.readTree(out.resolve("run.json").toFile());
    assertThat(run.get("templates").has("textsquare/answer-en-1")).isTrue();
    assertThat(run.get("templates").has("checks/compare-en-1")).isTrue();
  }

  @Test
  void acceptanceFollowsTheChecks() throws Exception {
    fake.setVerdict(true, false);
    Path images = Files.createDirectories(work.resolve("images"));
    Files.write(images.resolve("receipt.png"), TestImages.receiptPng());
    Path out = work.resolve("out");
    DatasetResult result = run(images, out, "textsquare");
    assertThat(result.counts().accepted()).isZero();
    assertThat(result.counts().rejected()).isEqualTo(1);
    JsonNode stats = JSON.readTree(out.resolve("stats.json").toFile());
    assertThat(stats.at("/rejected_by_reason/self_evaluation").asLong()).isEqualTo(1);
    assertThat(lines(out.resolve("samples.jsonl"))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"allava", "allava-single", "sharegpt4v", "points"})
  void builtInRecipeProducesAcceptedSamples(String recipe) throws Exception {
    Path images = Files.createDirectories(work.resolve("images"));
    Files.write(images.resolve("chart.png"), TestImages.barChartPng());
    Files.write(images.resolve("photo.jpg"), TestImages.photoJpeg());
    Path out = work.resolve("out");
    DatasetResult result = run(images, out, recipe);
    assertThat(result.counts().accepted())
        .as(Files.readString(out.resolve("rejected.jsonl")))
        .isEqualTo(2);
    List<JsonNode> samples = lines(out.resolve("samples.jsonl"));
    assertThat(samples)
        .allSatisfy(sample -> assertThat(sample.at("/caption/text").asText()).isNotBlank());
    if (!recipe.equals("sharegpt4v")) {
      assertThat(samples).allSatisfy(sample -> assertThat(sample.get("qa").size()).isPositive());
    }
    assertThat(JSON.readTree(out.resolve("llava.json").toFile()).size()).isGreaterThanOrEqualTo(2);
  }

  private DatasetResult run(Path images, Path out, String recipe) {
    DatasetWorkflow workflow =
        temporal
            .client()
            .newWorkflowStub(
                DatasetWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId("recipes-it-" + recipe + "-" + System.nanoTime())
                    .setTaskQueue(TaskQueues.WORKFLOWS)
                    .build());
    // No response cache: each test changes what the fake answers for the same prompts.
    return workflow.run(
        DatasetRequest.of(images.toUri().toString(), out.toUri().toString())
            .withRecipe(recipe)
            .withCache(DatasetRequest.NO_CACHE));
  }

  private static List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      nodes.add(JSON.readTree(line));
    }
    return nodes;
  }
}
