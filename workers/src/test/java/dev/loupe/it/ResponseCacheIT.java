package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.image.TestImages;
import dev.loupe.provider.openai.FakeOpenAiServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The response cache as a user meets it: {@code loupe run} twice (the packaged jar, each run with
 * its own real Temporal dev server) on the same images into two outputs, against a fake OpenAI
 * server. The second run is answered from the default cache directory and sends nothing.
 */
class ResponseCacheIT {
  private static final String KEY = "sk-test-CACHEKEEPSNOKEY-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  private FakeOpenAiServer fake;

  @BeforeEach
  void startFake() throws IOException {
    TestServers.temporalCli();
    fake = FakeOpenAiServer.start(0, KEY);
  }

  @AfterEach
  void stopFake() {
    fake.close();
  }

  @Test
  void theSameRecipeOnTheSameImagesIntoANewOutputPaysNoCall() throws Exception {
    Path images = Files.createDirectories(work.resolve("images"));
    Files.write(images.resolve("chart.png"), TestImages.barChartPng());
    Files.write(images.resolve("receipt.png"), TestImages.receiptPng());
    Path cacheHome = work.resolve("xdg-cache");
    Map<String, String> env =
        Map.of(
            "OPENAI_API_KEY", KEY,
            "OPENAI_BASE_URL", fake.baseUrl(),
            "XDG_CACHE_HOME", cacheHome.toString());

    JsonNode first = run(env, images, work.resolve("first"));
    int paidCalls = fake.requestCount();
    JsonNode second = run(env, images, work.resolve("second"));

    // describe, ask, answer, evaluate for each image, once.
    assertThat(paidCalls).isEqualTo(8);
    assertThat(fake.requestCount()).as("calls sent by the second run").isEqualTo(paidCalls);
    assertThat(first.at("/cache/calls").asLong()).isZero();
    assertThat(first.get("cost_usd").asDouble()).isPositive();
    assertThat(second.at("/cache/calls").asLong()).isEqualTo(paidCalls);
    assertThat(second.get("cost_usd").asDouble()).isZero();
    // The first run already saved a little through the provider's prompt cache (the image comes
    // first); a cached call saves its whole online price.
    assertThat(first.at("/tokens/cached_input").asLong()).isPositive();
    assertThat(second.at("/cache/saved_usd").asDouble())
        .isCloseTo(
            first.get("cost_usd").asDouble() + first.get("saved_usd").asDouble(), within(1e-9));
    assertThat(second.at("/by_lane/cache/calls").asLong()).isEqualTo(paidCalls);
    assertThat(second.at("/tokens/input").asLong()).isEqualTo(first.at("/tokens/input").asLong());
    assertThat(Files.readAllLines(work.resolve("second/samples.jsonl")))
        .hasSize(2)
        .allSatisfy(
            line ->
                assertThat(JSON.readTree(line).at("/usage/cached_calls").asLong()).isEqualTo(4));
    assertThat(JSON.readTree(work.resolve("second/llava.json").toFile()))
        .isEqualTo(JSON.readTree(work.resolve("first/llava.json").toFile()));

    Path entries = cacheHome.resolve("loupe/responses");
    try (Stream<Path> files = Files.walk(entries)) {
      List<Path> stored = files.filter(Files::isRegularFile).toList();
      assertThat(stored).hasSize(paidCalls);
      for (Path entry : stored) {
        assertThat(Files.readString(entry, StandardCharsets.UTF_8))
            .doesNotContain(KEY, "Bearer", "base64");
      }
    }

    run(env, images, work.resolve("third"), "--no-cache");
    assertThat(fake.requestCount()).as("--no-cache sends every call").isEqualTo(2 * paidCalls);
  }

  private JsonNode run(Map<String, String> env, Path images, Path out, String... more)
      throws Exception {
    List<String> args =
        Stream.concat(Stream.of("run", images.toString(), "--out", out.toString()), Stream.of(more))
            .toList();
    LoupeProcess loupe = LoupeProcess.start(work, env, args.toArray(String[]::new));
    int exit = loupe.waitFor(Duration.ofMinutes(4));
    assertThat(exit).as(loupe.stderr()).isZero();
    assertThat(loupe.stdout()).doesNotContain(KEY);
    assertThat(loupe.stderr()).doesNotContain(KEY);
    return JSON.readTree(out.resolve("stats.json").toFile());
  }
}
