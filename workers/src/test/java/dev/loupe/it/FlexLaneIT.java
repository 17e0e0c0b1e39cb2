package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.config.EndpointSettings;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.image.TestImages;
import dev.loupe.provider.fake.FakeRequest;
import dev.loupe.provider.openai.FakeOpenAiServer;
import dev.loupe.provider.openai.FakeReply;
import dev.loupe.recipe.ProjectConfig;
import dev.loupe.storage.Locations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flex lane ({@code "lane": "flex"} in the dataset request) through the image workflows on the
 * real dev server, against the fake OpenAI server: calls carry {@code service_tier: "flex"}, are
 * priced at the batch rate, and capacity refusals (429 Resource Unavailable) are retried; where the
 * endpoint sets {@code flex.onlineAfterSeconds}, calls that flex keeps refusing go online after
 * that deadline at the online price.
 */
class FlexLaneIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int IMAGES = 3;

  /** allava's four calls per image: describe, ask, answer, evaluate. */
  private static final int CALLS = IMAGES * 4;

  @TempDir Path work;

  @Test
  void flexCallsArePricedAtTheBatchRateAndTheirCapacityRefusalsAreRetried() throws Exception {
    FakeOpenAiServer fake = FakeOpenAiServer.start();
    // Every call's first flex try is refused for capacity; its retry is answered.
    java.util.Set<String> refusedOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();
    fake.setRule(
        request ->
            isFlex(request) && refusedOnce.add(callKey(request))
                ? Optional.of(FakeReply.flexCapacityRefused())
                : Optional.empty());
    try (InProcessWorkers workers = start(fake, null)) {
      DatasetResult result = run(workers, "flex-it-" + System.nanoTime(), work.resolve("out"));

      assertThat(result.counts().accepted()).as("failed: %s", failed()).isEqualTo(IMAGES);
      List<FakeRequest> seen = fake.requests();
      assertThat(seen).allMatch(FlexLaneIT::isFlex);
      assertThat(seen).hasSize(2 * CALLS);
      JsonNode lanes = stats().path("by_lane");
      assertThat(lanes.path("flex").path("calls").asInt()).as("by_lane %s", lanes).isEqualTo(CALLS);
      assertThat(lanes.has("online")).as("by_lane %s", lanes).isFalse();
      // gpt-4.1-mini's flex (batch) rates are half its online rates: at least what was paid was
      // saved (cached image prefixes save a little more).
      double paid = lanes.path("flex").path("cost_usd").asDouble();
      assertThat(paid).isPositive();
      assertThat(lanes.path("flex").path("saved_usd").asDouble()).isGreaterThanOrEqualTo(paid);
    }
  }

  @Test
  void callsThatFlexKeepsRefusingGoOnlineAfterTheEndpointsDeadline() throws Exception {
    FakeOpenAiServer fake = FakeOpenAiServer.start();
    fake.setRule(
        request ->
            isFlex(request) ? Optional.of(FakeReply.flexCapacityRefused()) : Optional.empty());
    try (InProcessWorkers workers = start(fake, new EndpointSettings.FlexSettings(null, 2))) {
      DatasetResult result = run(workers, "flex-online-" + System.nanoTime(), work.resolve("out"));

      assertThat(result.counts().accepted()).as("failed: %s", failed()).isEqualTo(IMAGES);
      long online = fake.requests().stream().filter(request -> !isFlex(request)).count();
      long flex = fake.requests().stream().filter(FlexLaneIT::isFlex).count();
      assertThat(online).isEqualTo(CALLS);
      assertThat(flex).isGreaterThanOrEqualTo(CALLS);
      JsonNode lanes = stats().path("by_lane");
      assertThat(lanes.path("online").path("calls").asInt())
          .as("by_lane %s", lanes)
          .isEqualTo(CALLS);
      assertThat(lanes.has("flex")).as("by_lane %s", lanes).isFalse();
      // Online price: only the cached image prefixes saved anything, far less than half.
      double paid = lanes.path("online").path("cost_usd").asDouble();
      assertThat(lanes.path("online").path("saved_usd").asDouble()).isLessThan(paid / 2);
    }
  }

  private static boolean isFlex(FakeRequest request) {
    return "flex".equals(request.serviceTier());
  }

  /** One stage call of one image: its image, the structured output it asks for and its text. */
  private static String callKey(FakeRequest request) {
    return request.imageDigest() + "|" + request.schemaName() + "|" + request.text();
  }

  private static InProcessWorkers start(FakeOpenAiServer fake, EndpointSettings.FlexSettings flex) {
    return InProcessWorkers.start(
        8,
        ProjectConfig.directory(),
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
                null,
                flex,
                null));
  }

  private DatasetResult run(InProcessWorkers workers, String id, Path out)
      throws IOException, java.util.concurrent.TimeoutException {
    DatasetRequest request =
        DatasetRequest.of(dir(images()), dir(out))
            .withRecipe("allava")
            .withLane("flex")
            .withWindow(IMAGES)
            .withFailedWaitHours(0.0);
    return workers.start(id, request).getResult(3, TimeUnit.MINUTES, DatasetResult.class);
  }

  private JsonNode stats() throws IOException {
    return JSON.readTree(work.resolve("out/stats.json").toFile());
  }

  private List<String> failed() throws IOException {
    Path file = work.resolve("out/failed.jsonl");
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  private Path images() throws IOException {
    Path images = Files.createDirectories(work.resolve("images"));
    Files.write(images.resolve("chart.png"), TestImages.barChartPng());
    Files.write(images.resolve("receipt.png"), TestImages.receiptPng());
    Files.write(images.resolve("photo.jpg"), TestImages.photoJpeg());
    return images;
  }

  private static String dir(Path path) {
    return Locations.asDirectory(Locations.file(path)).toString();
  }
}
