package dev.loupe.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.batch.BatchLineWriter;
import dev.loupe.batch.BatchSpool;
import dev.loupe.cache.ResponseCaches;
import dev.loupe.contract.ApiActivities;
import dev.loupe.contract.CaptionResult;
import dev.loupe.contract.DescribeRequest;
import dev.loupe.contract.FailureType;
import dev.loupe.contract.ImageInfo;
import dev.loupe.contract.RunPlan.StagePlan;
import dev.loupe.image.ContentHash;
import dev.loupe.image.ImageLimits;
import dev.loupe.image.ImagePreparer;
import dev.loupe.image.ProviderImageLimits;
import dev.loupe.image.TestImages;
import dev.loupe.pricing.PriceTable;
import dev.loupe.prompt.PromptLibrary;
import dev.loupe.provider.openai.FakeOpenAiServer;
import dev.loupe.provider.openai.FakeReply;
import dev.loupe.provider.openai.OpenAiClient;
import dev.loupe.provider.openai.OpenAiSettings;
import dev.loupe.recipe.ProjectConfig;
import dev.loupe.record.RecordMapper;
import dev.loupe.source.SourceReader;
import dev.loupe.stage.ModelEndpoint;
import dev.loupe.stage.PreparedImages;
import dev.loupe.stage.StageRunner;
import dev.loupe.stage.StructuredOutputs;
import dev.loupe.storage.AllowedRoots;
import dev.loupe.storage.InMemoryBlobStore;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiActivitiesImplTest {
  private static final Duration HEARTBEAT_EVERY = Duration.ofMillis(100);

  private final InMemoryBlobStore blobs = new InMemoryBlobStore();
  private final AtomicInteger heartbeats = new AtomicInteger();
  private FakeOpenAiServer fake;
  private TestActivityEnvironment environment;
  private ApiActivities api;
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
    environment = TestActivityEnvironment.newInstance();
    environment.setActivityHeartbeatListener(Object.class, details -> heartbeats.incrementAndGet());
    OpenAiClient client =
        new OpenAiClient(OpenAiSettings.compatible(fake.baseUrl(), null), new OkHttpClient());
    ModelEndpoint endpoint =
        new ModelEndpoint(
            "openai",
            client,
            new ProviderImageLimits(2048, 20L * 1024 * 1024, Set.of("image/jpeg", "image/png")));
    StageRunner runner =
        new StageRunner(
            Map.of("openai", endpoint),
            new PromptLibrary(ProjectConfig.files()),
            new PreparedImages(
                new SourceReader(
                    blobs, AllowedRoots.of(List.of("s3://bucket/"), List.of()), 1 << 20),
                new ImagePreparer(ImageLimits.DEFAULT_MAX_PIXELS),
                4),
            new PriceTable(Map.of()),
            ResponseCaches.none());
    environment.registerActivitiesImplementations(
        new ApiActivitiesImpl(
            runner,
            new StageResults(new StructuredOutputs(RecordMapper.create())),
            new BatchLineWriter(
                runner,
                Map.of(),
                new BatchSpool(blobs, RecordMapper.create()),
                java.time.Clock.systemUTC()),
            HEARTBEAT_EVERY));
    api =
        environment.newActivityStub(
            ApiActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(1))
                .setHeartbeatTimeout(Duration.ofSeconds(1))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
  }

  @AfterEach
  void tearDown() {
    environment.close();
    fake.close();
  }

  @Test
  void slowCallHeartbeatsWhileItWaitsSoItOutlivesTheHeartbeatTimeout() {
    fake.failNext(1, FakeReply.delay(Duration.ofMillis(2500)));

    CaptionResult caption = api.describe(request());

    assertThat(caption.text()).startsWith("[fake]");
    // The heartbeat timeout is 1 s: the SDK sends about one heartbeat per 0.8 s of the call.
    assertThat(heartbeats.get()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void quickCallSendsNoHeartbeat() {
    api.describe(request()); // the first call prepares the image and connects: it may take longer
    heartbeats.set(0);

    api.describe(request());

    assertThat(heartbeats.get()).isZero();
  }

  @Test
  void failureOfTheCallIsClassifiedOnce() {
    fake.failNext(1, FakeReply.serverError(503));

    assertThatThrownBy(() -> api.describe(request()))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> assertThat(failure.getType()).isEqualTo(FailureType.SERVER_ERROR.name()));
  }

  private DescribeRequest request() {
    StagePlan stage =
        new StagePlan(
            List.of("openai"),
            "gpt-4.1-mini",
            List.of("allava/describe-en-1"),
            1,
            512,
            List.of(),
            StagePlan.API_POOL);
    return new DescribeRequest(image, "openai", stage, null, "en", null);
  }
}
