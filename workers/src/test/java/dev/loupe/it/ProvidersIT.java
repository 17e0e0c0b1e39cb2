package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.config.ConfigLoader;
import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.DatasetResult;
import dev.loupe.image.TestImages;
import dev.loupe.provider.ProviderKind;
import dev.loupe.provider.anthropic.FakeAnthropicReply;
import dev.loupe.provider.anthropic.FakeAnthropicServer;
import dev.loupe.provider.fake.FakeRateLimit;
import dev.loupe.provider.gemini.FakeGeminiServer;
import dev.loupe.provider.openai.FakeOpenAiServer;
import dev.loupe.provider.openai.FakeReply;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Whole runs of the allava recipe through each provider's fake server, on the real Temporal dev
 * server, through the production Guice modules: the provider is chosen by configuration alone, a
 * rate-limited endpoint is used without a storm of 429s, and 5xx and malformed answers end in
 * accepted or rejected images, never failed ones.
 */
class ProvidersIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int IMAGES = 3;
  private static final int CALLS_PER_IMAGE = 4;

  @TempDir Path work;

  @ParameterizedTest
  @EnumSource(ProviderKind.class)
  void allavaRunsThroughEachProviderChosenByConfigurationAlone(ProviderKind kind) throws Exception {
    Path images = writeImages();
    Path out = work.resolve("out");
    try (Fake fake = Fake.start(kind)) {
      Path file = null;
      if (fake.configFile().isPresent()) {
        file = Files.writeString(work.resolve("loupe.yaml"), fake.configFile().get());
      }
      LoupeConfig config = ConfigLoader.load(file, fake.environment());
      assertThat(config.endpoints().values())
          .singleElement()
          .satisfies(endpoint -> assertThat(endpoint.kind()).isEqualTo(kind));

      DatasetResult result;
      try (InJvmWorkers workers =
          InJvmWorkers.start(TestServers.temporalAddress(), config, fake.environment())) {
        result =
            workers.run("providers-it-" + kind.configName() + "-" + System.nanoTime(), images, out);
      }

      assertThat(result.counts().accepted()).as(result.message()).isEqualTo(IMAGES);
      assertThat(result.counts().failed()).isZero();
      assertThat(fake.requestCount()).isEqualTo(IMAGES * CALLS_PER_IMAGE);
      assertThat(fake.invalidRequests()).isEmpty();
      JsonNode stats = JSON.readTree(out.resolve("stats.json").toFile());
      assertThat(stats.at("/tokens/input").asLong()).isEqualTo(fake.inputTokens()).isPositive();
      assertThat(stats.at("/tokens/output").asLong()).isEqualTo(fake.outputTokens()).isPositive();
      assertThat(result.counts().inputTokens()).isEqualTo(fake.inputTokens());
      assertThat(Files.readString(out.resolve("samples.jsonl"))).contains("[fake]");
    }
  }

  @Test
  void rateLimitedEndpointIsUsedWithoutFailuresOrA429Storm() throws Exception {
    int requestsPerMinute = 120;
    int imageCount = 8;
    Path images = InJvmWorkers.writePhotos(work.resolve("images"), imageCount);
    Path out = work.resolve("out");
    FakeRateLimit limit = new FakeRateLimit(requestsPerMinute, 1);
    try (FakeOpenAiServer fake = FakeOpenAiServer.start()) {
      fake.setRule(limit.rule(FakeReply::rateLimited));
      Path file =
          Files.writeString(
              work.resolve("loupe.yaml"),
              """
              endpoints:
                limited:
                  provider: openai-compatible
                  baseUrl: %s
                  model: fake-model
                  requestsPerMinute: %d
                  tokensPerMinute: 60000
              """
                  .formatted(fake.baseUrl(), requestsPerMinute));
      LoupeConfig config = ConfigLoader.load(file, Map.of());

      DatasetResult result;
      try (InJvmWorkers workers =
          InJvmWorkers.start(TestServers.temporalAddress(), config, Map.of())) {
        result = workers.run("providers-it-limited-" + System.nanoTime(), images, out);
      }

      assertThat(result.counts().accepted())
          .as(
              "rejected: %s; failed: %s",
              Files.readString(out.resolve("rejected.jsonl")),
              Files.readString(out.resolve("failed.jsonl")))
          .isEqualTo(imageCount);
      int calls = limit.admittedCount() + limit.refusedCount();
      assertThat(limit.admittedCount()).isEqualTo(imageCount * CALLS_PER_IMAGE);
      // Without the worker's pacing this run got about a quarter of its calls refused (10 of 42);
      // with it, a refusal is rare: a call delayed on a busy machine can still arrive close to the
      // next one.
      assertThat(limit.refusedCount()).as("429s among %d calls", calls).isLessThanOrEqualTo(3);
    }
  }

  @Test
  void rateLimitThatSaysRetryNowIsRetried() throws Exception {
    Path images = InJvmWorkers.writePhotos(work.resolve("images"), 2);
    Path out = work.resolve("out");
    try (FakeOpenAiServer fake = FakeOpenAiServer.start()) {
      // retry-after-ms: 0; a next retry delay of zero would make Temporal stop retrying.
      fake.failNext(2, FakeReply.rateLimited(Duration.ZERO));
      Map<String, String> env = Map.of("OPENAI_BASE_URL", fake.baseUrl(), "LOUPE_MODEL", "m");

      DatasetResult result;
      try (InJvmWorkers workers =
          InJvmWorkers.start(TestServers.temporalAddress(), ConfigLoader.load(null, env), env)) {
        result = workers.run("providers-it-retry-now-" + System.nanoTime(), images, out);
      }

      assertThat(result.counts().accepted())
          .as("failed: %s", Files.readString(out.resolve("failed.jsonl")))
          .isEqualTo(2);
      assertThat(fake.requestCount()).isEqualTo(2 + 2 * CALLS_PER_IMAGE);
    }
  }

  @Test
  void serverErrorsAndMalformedAnswersEndAcceptedOrRejectedNeverFailed() throws Exception {
    int imageCount = 6;
    Path images = InJvmWorkers.writePhotos(work.resolve("images"), imageCount);
    Path out = work.resolve("out");
    try (FakeAnthropicServer fake = FakeAnthropicServer.start("sk-ant-chaos-000000")) {
      Random random = new Random(20260302);
      List<FakeAnthropicReply> serverErrors =
          List.of(
              FakeAnthropicReply.serverError(500),
              FakeAnthropicReply.serverError(503),
              FakeAnthropicReply.overloaded());
      fake.setRule(
          request -> {
            double draw;
            synchronized (random) {
              draw = random.nextDouble();
            }
            if (draw < 0.30) {
              return Optional.of(serverErrors.get((int) (draw * 100) % serverErrors.size()));
            }
            if (draw < 0.35) {
              return Optional.of(FakeAnthropicReply.malformedBody());
            }
            if (draw < 0.40) {
              return Optional.of(FakeAnthropicReply.truncatedBody());
            }
            return Optional.empty();
          });
      Path file =
          Files.writeString(
              work.resolve("loupe.yaml"),
              """
              endpoints:
                chaos:
                  provider: anthropic
                  baseUrl: %s
                  apiKeyEnv: CHAOS_KEY
                  model: claude-sonnet-4-5
              retry:
                apiMaximumAttempts: 20
                apiInitialIntervalSeconds: 1
                apiMaximumIntervalSeconds: 1
              """
                  .formatted(fake.baseUrl()));
      Map<String, String> env = Map.of("CHAOS_KEY", "sk-ant-chaos-000000");
      LoupeConfig config = ConfigLoader.load(file, env);

      DatasetResult result;
      try (InJvmWorkers workers = InJvmWorkers.start(TestServers.temporalAddress(), config, env)) {
        result = workers.run("providers-it-chaos-" + System.nanoTime(), images, out);
      }

      assertThat(result.counts().failed()).as(result.message()).isZero();
      assertThat(result.counts().accepted() + result.counts().rejected()).isEqualTo(imageCount);
      assertThat(result.counts().accepted()).as("most images survive").isPositive();
      assertThat(Files.readAllLines(out.resolve("failed.jsonl"))).isEmpty();
      assertThat(fake.requestCount())
          .as("failed answers were retried")
          .isGreaterThan(imageCount * CALLS_PER_IMAGE);
      assertThat(fake.invalidRequests()).isEmpty();
    }
  }

  private Path writeImages() throws IOException {
    Path images = Files.createDirectories(work.resolve("images"));
    Files.write(images.resolve("chart.png"), TestImages.barChartPng());
    Files.write(images.resolve("receipt.png"), TestImages.receiptPng());
    Files.write(images.resolve("photo.jpg"), TestImages.photoJpeg());
    return images;
  }

  /**
   * One provider's fake server, and the environment (and for OpenAI itself, the config file) that
   * point Loupe at it. Without a file, an {@code OPENAI_BASE_URL} other than OpenAI's reads as an
   * OpenAI-compatible server, so OpenAI's own dialect at a fake's URL needs the file.
   */
  private interface Fake extends Closeable {
    Map<String, String> environment();

    default Optional<String> configFile() {
      return Optional.empty();
    }

    int requestCount();

    List<String> invalidRequests();

    long inputTokens();

    long outputTokens();

    @Override
    void close();

    static Fake start(ProviderKind kind) throws IOException {
      return switch (kind) {
        case OPENAI -> openAi(FakeOpenAiServer.start(0, "sk-test-openai-0000000000"), true);
        case OPENAI_COMPATIBLE -> openAi(FakeOpenAiServer.start(), false);
        case GEMINI -> gemini(FakeGeminiServer.start("AIza-test-gemini-000000"));
        case ANTHROPIC -> anthropic(FakeAnthropicServer.start("sk-ant-test-0000000000"));
      };
    }

    private static Fake openAi(FakeOpenAiServer fake, boolean itself) {
      return new Fake() {
        @Override
        public Map<String, String> environment() {
          return itself
              ? Map.of("OPENAI_API_KEY", "sk-test-openai-0000000000")
              : Map.of("OPENAI_BASE_URL", fake.baseUrl(), "LOUPE_MODEL", "fake-model");
        }

        @Override
        public Optional<String> configFile() {
          return itself
              ? Optional.of(
                  """
                  endpoints:
                    openai:
                      provider: openai
                      baseUrl: %s
                      apiKeyEnv: OPENAI_API_KEY
                      model: gpt-4.1-mini
                  """
                      .formatted(fake.baseUrl()))
              : Optional.empty();
        }

        @Override
        public int requestCount() {
          return fake.requestCount();
        }

        @Override
        public List<String> invalidRequests() {
          return fake.invalidRequests();
        }

        @Override
        public long inputTokens() {
          return fake.totalPromptTokens();
        }

        @Override
        public long outputTokens() {
          return fake.totalCompletionTokens();
        }

        @Override
        public void close() {
          fake.close();
        }
      };
    }

    private static Fake gemini(FakeGeminiServer fake) {
      fake.setThoughtsTokens(12);
      return new Fake() {
        @Override
        public Map<String, String> environment() {
          return Map.of(
              "GEMINI_API_KEY", "AIza-test-gemini-000000", "GEMINI_BASE_URL", fake.baseUrl());
        }

        @Override
        public int requestCount() {
          return fake.requestCount();
        }

        @Override
        public List<String> invalidRequests() {
          return fake.invalidRequests();
        }

        @Override
        public long inputTokens() {
          return fake.totalPromptTokens();
        }

        @Override
        public long outputTokens() {
          return fake.totalOutputTokens();
        }

        @Override
        public void close() {
          fake.close();
        }
      };
    }

    private static Fake anthropic(FakeAnthropicServer fake) {
      fake.setCacheReadTokens(40);
      return new Fake() {
        @Override
        public Map<String, String> environment() {
          return Map.of(
              "ANTHROPIC_API_KEY", "sk-ant-test-0000000000", "ANTHROPIC_BASE_URL", fake.baseUrl());
        }

        @Override
        public int requestCount() {
          return fake.requestCount();
        }

        @Override
        public List<String> invalidRequests() {
          return fake.invalidRequests();
        }

        @Override
        public long inputTokens() {
          return fake.totalInputTokens();
        }

        @Override
        public long outputTokens() {
          return fake.totalOutputTokens();
        }

        @Override
        public void close() {
          fake.close();
        }
      };
    }
  }
}
