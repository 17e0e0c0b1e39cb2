package dev.loupe.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.cache.ResponseCaches;
import dev.loupe.contract.CaptionResult;
import dev.loupe.contract.CaptionerActivities;
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
import dev.loupe.provider.openai.Dialect;
import dev.loupe.provider.openai.FakeOpenAiServer;
import dev.loupe.provider.openai.FakeReply;
import dev.loupe.provider.openai.OpenAiClient;
import dev.loupe.provider.openai.OpenAiSettings;
import dev.loupe.recipe.ProjectConfig;
import dev.loupe.source.SourceReader;
import dev.loupe.stage.ModelEndpoint;
import dev.loupe.stage.PreparedImages;
import dev.loupe.stage.StageRunner;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CaptionerActivitiesImplTest {
  private static final String SERVED = "share-captioner-7b";
  private static final Duration HEARTBEAT_EVERY = Duration.ofMillis(100);

  private final InMemoryBlobStore blobs = new InMemoryBlobStore();
  private final SwitchableModel model = new SwitchableModel();
  private final AtomicInteger heartbeats = new AtomicInteger();
  private final EngineSlots slots = new EngineSlots(1);
  private FakeOpenAiServer fake;
  private TestActivityEnvironment environment;
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
  }

  @AfterEach
  void tearDown() {
    environment.close();
    fake.close();
  }

  @Test
  void captionHeartbeatsWhileTheModelGeneratesAndAsksForTheServedModel() {
    fake.setRule(request -> Optional.of(FakeReply.delay(Duration.ofMillis(2500))));
    model.ready = true;

    CaptionResult caption = stub(Duration.ofSeconds(30)).describe(request());

    assertThat(caption.text()).startsWith("[fake]");
    assertThat(caption.call().endpoint()).isEqualTo("captioner");
    assertThat(caption.call().stage()).isEqualTo("describe");
    assertThat(caption.call().model()).isEqualTo(SERVED);
    assertThat(caption.call().usage().inputTokens()).isPositive();
    assertThat(fake.requests())
        .singleElement()
        .satisfies(r -> assertThat(r.model()).isEqualTo(SERVED));
    assertThat(fake.requests().get(0).hasImage()).isTrue();
    // The heartbeat timeout is 1 s: the SDK sends about one heartbeat per 0.8 s of the call.
    assertThat(heartbeats.get()).isGreaterThanOrEqualTo(2);
  }

  /**
   * The worker holds more captions than the server batches: one that finds every slot taken waits,
   * heartbeating, and reaches the server the moment a slot is free.
   */
  @Test
  void captionWaitsHeartbeatingForAFreeEngineSlot() throws Exception {
    model.ready = true;
    CaptionerActivities captioner = stub(Duration.ofSeconds(5));
    slots.acquire();
    CompletableFuture<CaptionResult> waiting =
        CompletableFuture.supplyAsync(() -> captioner.describe(request()));
    Thread.sleep(1500);
    assertThat(waiting).isNotDone();
    assertThat(fake.requestCount()).as("no call while the only slot is taken").isZero();
    assertThat(heartbeats.get()).isPositive();
    assertThat(slots.inUse()).isEqualTo(1);

    slots.release();
    assertThat(waiting.get(30, TimeUnit.SECONDS).text()).startsWith("[fake]");
    assertThat(fake.requestCount()).isEqualTo(1);
    assertThat(slots.inUse()).as("the caption gave its slot back").isZero();
  }

  @Test
  void captionWaitsForARestartingModelServerThenCalls() throws Exception {
    model.readyAfter(Duration.ofMillis(1500));

    CaptionResult caption = stub(Duration.ofSeconds(30)).describe(request());

    assertThat(caption.text()).startsWith("[fake]");
    assertThat(fake.requestCount()).isEqualTo(1);
    assertThat(heartbeats.get()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void captionIsHandedBackWhenTheModelServerStaysDown() {
    model.ready = false;

    assertThatThrownBy(() -> stub(Duration.ofMillis(400)).describe(request()))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.getType()).isEqualTo(FailureType.TRANSPORT.name());
              assertThat(failure.isNonRetryable()).isFalse();
              assertThat(failure.getOriginalMessage())
                  .contains("handed back to the queue")
                  .contains("did not answer");
            });
    assertThat(fake.requestCount()).isZero();
  }

  @Test
  void deadModelServerIsARetryableTransportFailure() {
    model.ready = true;
    fake.close();

    assertThatThrownBy(() -> stub(Duration.ofSeconds(5)).describe(request()))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.getType()).isEqualTo(FailureType.TRANSPORT.name());
              assertThat(failure.isNonRetryable()).isFalse();
            });
  }

  @Test
  void serverErrorOfTheModelIsClassifiedOnce() {
    model.ready = true;
    fake.failNext(1, FakeReply.serverError(503));

    assertThatThrownBy(() -> stub(Duration.ofSeconds(5)).describe(request()))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> assertThat(failure.getType()).isEqualTo(FailureType.SERVER_ERROR.name()));
  }

  /**
   * The engine answers garbage: a body that is not JSON, then one that breaks off. Each call ends
   * with a reason (a retryable failure, so Temporal asks again), and the next caption is served.
   */
  @Test
  void garbageFromTheEngineEndsThoseCallsWithReasonsAndTheNextCaptionIsServed() {
    model.ready = true;
    CaptionerActivities captioner = stub(Duration.ofSeconds(5));

    fake.failNext(1, FakeReply.garbage("<html><body>502 Bad Gateway</body></html>"));
    assertThatThrownBy(() -> captioner.describe(request()))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.getType()).isEqualTo(FailureType.MALFORMED_OUTPUT.name());
              assertThat(failure.isNonRetryable()).isFalse();
              assertThat(failure.getOriginalMessage()).isNotBlank();
            });

    fake.failNext(1, FakeReply.truncatedBody());
    assertThatThrownBy(() -> captioner.describe(request()))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.isNonRetryable()).isFalse();
              assertThat(failure.getOriginalMessage()).isNotBlank();
            });

    assertThat(captioner.describe(request()).text()).startsWith("[fake]");
    assertThat(fake.requestCount()).isEqualTo(3);
  }

  /**
   * The engine takes a request and never answers: the call ends at the captioner's call timeout
   * ({@code captioner.timeoutSeconds}) as a retryable transport failure saying so, not at the
   * activity's ten minutes, and the next caption is served.
   */
  @Test
  void callTheEngineNeverAnswersEndsAtTheCallTimeoutAndTheNextCaptionIsServed() {
    model.ready = true;
    CaptionerActivities captioner = stub(Duration.ofSeconds(5), Duration.ofSeconds(1));

    fake.failNext(1, FakeReply.delay(Duration.ofSeconds(30)));
    long started = System.nanoTime();
    assertThatThrownBy(() -> captioner.describe(request()))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.getType()).isEqualTo(FailureType.TRANSPORT.name());
              assertThat(failure.isNonRetryable()).isFalse();
              assertThat(failure.getOriginalMessage()).containsIgnoringCase("timeout");
            });
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));

    assertThat(captioner.describe(request()).text()).startsWith("[fake]");
  }

  private CaptionerActivities stub(Duration modelWait) {
    return stub(modelWait, OpenAiSettings.DEFAULT_CALL_TIMEOUT);
  }

  private CaptionerActivities stub(Duration modelWait, Duration callTimeout) {
    OpenAiClient client =
        new OpenAiClient(
            new OpenAiSettings(fake.baseUrl(), null, Dialect.OPENAI_COMPATIBLE, callTimeout),
            new OkHttpClient());
    ModelEndpoint endpoint =
        new ModelEndpoint(
            CaptionerActivitiesImpl.ENDPOINT,
            client,
            new ProviderImageLimits(1344, 20L * 1024 * 1024, Set.of("image/jpeg", "image/png")));
    StageRunner runner =
        new StageRunner(
            Map.of(CaptionerActivitiesImpl.ENDPOINT, endpoint),
            new PromptLibrary(ProjectConfig.files()),
            new PreparedImages(
                new SourceReader(
                    blobs, AllowedRoots.of(List.of("s3://bucket/"), List.of()), 1 << 20),
                new ImagePreparer(ImageLimits.DEFAULT_MAX_PIXELS),
                4),
            new PriceTable(Map.of()),
            ResponseCaches.none());
    environment.registerActivitiesImplementations(
        new CaptionerActivitiesImpl(runner, model, modelWait, HEARTBEAT_EVERY, slots));
    return environment.newActivityStub(
        CaptionerActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(1))
            .setHeartbeatTimeout(Duration.ofSeconds(1))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
            .build());
  }

  private DescribeRequest request() {
    StagePlan stage =
        new StagePlan(
            List.of("openai"),
            "gpt-4.1-mini",
            List.of("sharegpt4v-captioner/describe-en-1"),
            1,
            512,
            List.of(),
            StagePlan.CAPTIONER_POOL);
    return new DescribeRequest(image, "openai", stage, null, "en", null);
  }

  /** A hosted model whose readiness the test sets. */
  private static final class SwitchableModel implements HostedModel {
    volatile boolean ready;
    private volatile boolean scheduled;
    private volatile long readyAtNanos;

    void readyAfter(Duration delay) {
      readyAtNanos = System.nanoTime() + delay.toNanos();
      scheduled = true;
    }

    @Override
    public boolean awaitReady(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!isReady()) {
        if (System.nanoTime() - deadline > 0) {
          return false;
        }
        Thread.sleep(10);
      }
      return true;
    }

    private boolean isReady() {
      return ready || (scheduled && System.nanoTime() - readyAtNanos > 0);
    }

    @Override
    public String name() {
      return SERVED;
    }

    @Override
    public String url() {
      return "http://127.0.0.1:8000/v1";
    }
  }
}
