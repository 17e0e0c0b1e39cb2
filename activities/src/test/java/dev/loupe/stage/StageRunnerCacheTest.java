package dev.loupe.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.loupe.cache.ResponseCaches;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.ImageInfo;
import dev.loupe.contract.Lane;
import dev.loupe.contract.ModelCall;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.RunPlan.StagePlan;
import dev.loupe.image.ContentHash;
import dev.loupe.image.ImageLimits;
import dev.loupe.image.ImagePreparer;
import dev.loupe.image.ProviderImageLimits;
import dev.loupe.image.TestImages;
import dev.loupe.pricing.PriceTable;
import dev.loupe.prompt.PromptLibrary;
import dev.loupe.provider.HttpModelClient;
import dev.loupe.provider.ProviderClients;
import dev.loupe.provider.ProviderKind;
import dev.loupe.provider.openai.FakeOpenAiServer;
import dev.loupe.recipe.ProjectConfig;
import dev.loupe.storage.InMemoryBlobStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The response cache at the one place a stage's request is built and sent. */
class StageRunnerCacheTest {
  private static final URI CACHE = URI.create("s3://bucket/cache/");
  private static final PriceTable PRICES =
      new PriceTable(
          Map.of("gpt-4.1-mini", new PriceTable.Price(0.40, 1.60, 0.10, null, 0.20, 0.80)));

  private final InMemoryBlobStore blobs = new InMemoryBlobStore();
  private FakeOpenAiServer fake;
  private StageRunner runner;
  private ImageInfo image;

  @BeforeEach
  void setUp() throws Exception {
    fake = FakeOpenAiServer.start();
    byte[] png = TestImages.barChartPng();
    URI uri = URI.create("s3://bucket/images/chart.png");
    blobs.write(uri, png);
    image =
        new ImageInfo(
            uri.toString(), ContentHash.sha256Hex(png), TestImages.WIDTH, TestImages.HEIGHT, "png");
    HttpModelClient client =
        new ProviderClients(new OkHttpClient())
            .create(ProviderKind.OPENAI, fake.baseUrl(), null, Duration.ofSeconds(30));
    ModelEndpoint endpoint =
        new ModelEndpoint(
            "openai",
            client,
            ProviderImageLimits.forProvider(ProviderKind.OPENAI),
            ProviderKind.OPENAI.configName(),
            client.codec(),
            null);
    runner =
        new StageRunner(
            Map.of("openai", endpoint),
            new PromptLibrary(ProjectConfig.files()),
            new PreparedImages(
                new dev.loupe.source.SourceReader(
                    blobs,
                    dev.loupe.storage.AllowedRoots.of(
                        java.util.List.of("s3://bucket/"), java.util.List.of()),
                    1 << 20),
                new ImagePreparer(ImageLimits.DEFAULT_MAX_PIXELS),
                4),
            PRICES,
            new ResponseCaches(blobs, Optional.of(CACHE)));
  }

  @AfterEach
  void tearDown() {
    fake.close();
  }

  @Test
  void theSameRequestAgainIsAnsweredFromTheCacheForNothing() throws Exception {
    StageRunner.Output first =
        runner.run(describe(plan("gpt-4.1-mini", null), "allava/describe-en-1"));
    StageRunner.Output second =
        runner.run(describe(plan("gpt-4.1-mini", null), "allava/describe-en-1"));

    assertThat(fake.requestCount()).isEqualTo(1);
    assertThat(second.text()).isEqualTo(first.text());
    assertThat(first.call().lane()).isEqualTo("online");
    assertThat(first.call().usage().cachedCalls()).isZero();
    assertThat(first.call().usage().costUsd()).isPositive();
    ModelCall cached = second.call();
    assertThat(cached.lane()).isEqualTo(ModelCall.CACHE);
    assertThat(cached.usage().cachedCalls()).isEqualTo(1);
    assertThat(cached.latencyMillis()).isZero();
    assertThat(cached.usage().costUsd()).isZero();
    assertThat(cached.usage().inputTokens()).isEqualTo(first.call().usage().inputTokens());
    assertThat(cached.usage().savedUsd()).isCloseTo(first.call().usage().costUsd(), within(1e-12));
    assertThat(blobs.list(CACHE, null, 10))
        .singleElement()
        .satisfies(entry -> assertThat(new String(blobs.read(entry.uri()))).doesNotContain("sk-"));
  }

  @Test
  void aChangedTemplateOrModelPaysAgain() throws Exception {
    runner.run(describe(plan("gpt-4.1-mini", null), "allava/describe-en-1"));
    runner.run(describe(plan("gpt-4.1-mini", null), "allava/describe-zh-1"));
    runner.run(describe(plan("gpt-4.1", null), "allava/describe-en-1"));

    assertThat(fake.requestCount()).isEqualTo(3);
  }

  @Test
  void aRunWithoutTheCacheSendsEveryCallAndAnotherRootStartsEmpty() throws Exception {
    runner.run(describe(plan("gpt-4.1-mini", null), "allava/describe-en-1"));
    runner.run(describe(plan("gpt-4.1-mini", DatasetRequest.NO_CACHE), "allava/describe-en-1"));
    runner.run(describe(plan("gpt-4.1-mini", "s3://bucket/other-cache/"), "allava/describe-en-1"));
    runner.run(describe(plan("gpt-4.1-mini", "s3://bucket/other-cache/"), "allava/describe-en-1"));

    assertThat(fake.requestCount()).isEqualTo(3);
  }

  @Test
  void aCorruptEntryIsAMissAndIsReplaced() throws Exception {
    runner.run(describe(plan("gpt-4.1-mini", null), "allava/describe-en-1"));
    URI entry = blobs.list(CACHE, null, 10).getFirst().uri();
    blobs.write(entry, "{\"format\":1,\"key\":".getBytes());

    StageRunner.Output again =
        runner.run(describe(plan("gpt-4.1-mini", null), "allava/describe-en-1"));
    StageRunner.Output third =
        runner.run(describe(plan("gpt-4.1-mini", null), "allava/describe-en-1"));

    assertThat(fake.requestCount()).isEqualTo(2);
    assertThat(again.call().lane()).isEqualTo("online");
    assertThat(third.call().lane()).isEqualTo(ModelCall.CACHE);
  }

  @Test
  void aFlexCallIsPricedAtTheBatchRateAndSavesTheDifference() throws Exception {
    // Text only, so the provider's prompt cache plays no part.
    StageRunner.Output online =
        runner.run(textOnly(plan("gpt-4.1-mini", DatasetRequest.NO_CACHE), "allava/describe-en-1"));
    StageRunner.Output flex =
        runner.run(
            textOnly(
                new StagePlan(
                    List.of("openai"),
                    "gpt-4.1-mini",
                    List.of(),
                    1,
                    512,
                    List.of(),
                    StagePlan.API_POOL,
                    Lane.FLEX,
                    DatasetRequest.NO_CACHE),
                "allava/describe-en-1"));

    assertThat(flex.call().lane()).isEqualTo("flex");
    assertThat(flex.call().usage().costUsd())
        .isCloseTo(online.call().usage().costUsd() / 2, within(1e-12));
    assertThat(flex.call().usage().savedUsd())
        .isCloseTo(online.call().usage().costUsd() / 2, within(1e-12));
  }

  @Test
  void aFlexStageGoesOnlineOnceTheEndpointsFlexDeadlinePassed() throws Exception {
    Instant now = Instant.parse("2026-12-07T04:00:00Z");
    HttpModelClient client =
        new ProviderClients(new OkHttpClient())
            .create(ProviderKind.OPENAI, fake.baseUrl(), null, Duration.ofSeconds(30));
    StageRunner deadlined =
        new StageRunner(
            Map.of(
                "openai",
                new ModelEndpoint(
                    "openai",
                    client,
                    ProviderImageLimits.forProvider(ProviderKind.OPENAI),
                    ProviderKind.OPENAI.configName(),
                    client.codec(),
                    Duration.ofMinutes(10))),
            new PromptLibrary(ProjectConfig.files()),
            new PreparedImages(
                new dev.loupe.source.SourceReader(
                    blobs,
                    dev.loupe.storage.AllowedRoots.of(
                        java.util.List.of("s3://bucket/"), java.util.List.of()),
                    1 << 20),
                new ImagePreparer(ImageLimits.DEFAULT_MAX_PIXELS),
                4),
            PRICES,
            ResponseCaches.none(),
            Clock.fixed(now, ZoneOffset.UTC));
    StagePlan flex =
        new StagePlan(
            List.of("openai"),
            "gpt-4.1-mini",
            List.of(),
            1,
            512,
            List.of(),
            StagePlan.API_POOL,
            Lane.FLEX,
            null);

    StageRunner.Output early =
        deadlined.run(now.minus(Duration.ofMinutes(9)), textOnly(flex, "allava/describe-en-1"));
    StageRunner.Output late =
        deadlined.run(now.minus(Duration.ofMinutes(10)), textOnly(flex, "allava/describe-en-1"));

    assertThat(early.call().lane()).isEqualTo("flex");
    assertThat(late.call().lane()).isEqualTo("online");
    assertThat(late.call().usage().costUsd())
        .isCloseTo(2 * early.call().usage().costUsd(), within(1e-12));
  }

  private static StagePlan plan(String model, String cache) {
    return new StagePlan(
        List.of("openai"), model, List.of(), 1, 512, List.of(), StagePlan.API_POOL, null, cache);
  }

  private StageRunner.Call textOnly(StagePlan plan, String templateId) {
    return new StageRunner.Call(
        RunPlan.FUSE,
        plan,
        "openai",
        image.sha256(),
        null,
        new PromptLibrary(ProjectConfig.files()).get(templateId),
        "en",
        Map.of(),
        null);
  }

  private StageRunner.Call describe(StagePlan plan, String templateId) {
    return new StageRunner.Call(
        RunPlan.DESCRIBE,
        plan,
        "openai",
        image.sha256(),
        image,
        new PromptLibrary(ProjectConfig.files()).get(templateId),
        "en",
        Map.of(),
        null);
  }
}
