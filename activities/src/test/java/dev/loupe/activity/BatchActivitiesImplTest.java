package dev.loupe.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.batch.BatchLineWriter;
import dev.loupe.batch.BatchSpool;
import dev.loupe.batch.LineCompletions;
import dev.loupe.batch.SpooledLine;
import dev.loupe.contract.BatchPoll;
import dev.loupe.contract.BatchRef;
import dev.loupe.contract.CaptionResult;
import dev.loupe.contract.FailLinesRequest;
import dev.loupe.contract.LinesEnded;
import dev.loupe.contract.Submission;
import dev.loupe.contract.SubmitRequest;
import dev.loupe.image.ImageLimits;
import dev.loupe.image.ImagePreparer;
import dev.loupe.image.ProviderImageLimits;
import dev.loupe.pricing.PriceTable;
import dev.loupe.prompt.PromptLibrary;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.openai.FakeOpenAiBatches.LineFate;
import dev.loupe.provider.openai.FakeOpenAiServer;
import dev.loupe.provider.openai.OpenAiBatchApi;
import dev.loupe.provider.openai.OpenAiClient;
import dev.loupe.provider.openai.OpenAiCodec;
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
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The batch activities against the fake OpenAI Batch API and an in-memory blob store: sealing,
 * idempotent submission, delivery by task token (once), failed and expired lines, rejection.
 */
class BatchActivitiesImplTest {
  private static final String ENDPOINT = "openai";
  private static final String SPOOL = "s3://bucket/run/.loupe/batch/";

  private final InMemoryBlobStore blobs = new InMemoryBlobStore();
  private final RecordingCompletions completions = new RecordingCompletions();
  private FakeOpenAiServer fake;
  private OpenAiBatchApi api;
  private BatchSpool spool;
  private BatchActivitiesImpl activities;

  @BeforeEach
  void setUp() throws Exception {
    fake = FakeOpenAiServer.start(0, "sk-batch-test");
    OpenAiSettings settings =
        OpenAiSettings.openAi(fake.baseUrl(), new dev.loupe.provider.Secret("sk-batch-test"));
    OkHttpClient http = new OkHttpClient();
    api =
        new OpenAiBatchApi(fake.baseUrl(), new OpenAiCodec(settings), http, Duration.ofSeconds(30));
    spool = new BatchSpool(blobs, RecordMapper.create());
    StageRunner runner =
        new StageRunner(
            Map.of(
                ENDPOINT,
                new ModelEndpoint(
                    ENDPOINT,
                    new OpenAiClient(settings, http),
                    ProviderImageLimits.forProvider(dev.loupe.provider.ProviderKind.OPENAI))),
            new PromptLibrary(ProjectConfig.files()),
            new PreparedImages(
                new SourceReader(
                    blobs, AllowedRoots.of(List.of("s3://bucket/"), List.of()), 1 << 20),
                new ImagePreparer(ImageLimits.DEFAULT_MAX_PIXELS),
                1),
            new PriceTable(Map.of("gpt-4.1-mini", new PriceTable.Price(0.4, 1.6))),
            dev.loupe.cache.ResponseCaches.none());
    activities =
        new BatchActivitiesImpl(
            Map.of(ENDPOINT, api),
            spool,
            runner,
            new StageResults(new StructuredOutputs(RecordMapper.create())),
            completions);
  }

  @AfterEach
  void tearDown() {
    fake.close();
  }

  @Test
  void linesAreSealedSubmittedOnceAndDeliveredOnceByTaskToken() throws Exception {
    List<String> ids = spoolLines(5);

    Submission first = activities.submit(submit(0, "lane/0/0", 3));
    // A retried submit (its answer lost) finds the batch it created instead of creating another.
    Submission again = activities.submit(submit(0, "lane/0/0", 3));

    assertThat(first.lines()).isEqualTo(3);
    assertThat(again).isEqualTo(first);
    assertThat(fake.batches().batchesCreated()).isEqualTo(1);
    assertThat(activities.look(BatchRef.spool(ENDPOINT, SPOOL)).lines()).isEqualTo(2);
    assertThat(activities.poll(ref(0, first.batchId())).state()).isEqualTo(BatchPoll.State.ENDED);

    LinesEnded delivered = activities.deliver(ref(0, first.batchId()));
    LinesEnded redelivered = activities.deliver(ref(0, first.batchId()));

    assertThat(delivered).isEqualTo(new LinesEnded(3, 0));
    // The input file (requests, images) is gone; the line index stays for a repeated delivery.
    assertThat(blobs.exists(java.net.URI.create(SPOOL + ENDPOINT + "/batches/0/input.jsonl")))
        .isFalse();
    assertThat(blobs.exists(java.net.URI.create(SPOOL + ENDPOINT + "/batches/0/lines.jsonl")))
        .isTrue();
    assertThat(redelivered).isEqualTo(new LinesEnded(0, 0));
    assertThat(completions.results.keySet()).containsExactlyInAnyOrderElementsOf(ids.subList(0, 3));
    CaptionResult caption = (CaptionResult) completions.results.get(ids.get(0));
    assertThat(caption.text()).startsWith("[fake]");
    assertThat(caption.call().usage().inputTokens()).isPositive();
    assertThat(caption.call().usage().costUsd()).isPositive();
    assertThat(fake.batches().linesReceived())
        .hasSize(3)
        .allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
  }

  @Test
  void failedAndExpiredLinesFailTheirCallsRetryablyWithTheReason() throws Exception {
    List<String> ids = spoolLines(3);
    fake.batches()
        .setLineRule(
            id ->
                id.equals(ids.get(0))
                    ? Optional.of(new LineFate.Expires())
                    : id.equals(ids.get(1))
                        ? Optional.of(new LineFate.Fails(500, "The server had an error (fake)."))
                        : Optional.empty());
    Submission batch = activities.submit(submit(0, "lane/0/0", 10));

    LinesEnded ended = activities.deliver(ref(0, batch.batchId()));

    assertThat(ended).isEqualTo(new LinesEnded(1, 2));
    ApplicationFailure expired = completions.failures.get(ids.get(0));
    assertThat(expired.isNonRetryable()).isFalse();
    assertThat(expired.getOriginalMessage()).contains("expired", "batch_expired");
    ApplicationFailure failed = completions.failures.get(ids.get(1));
    assertThat(failed.isNonRetryable()).isFalse();
    assertThat(failed.getType()).isEqualTo("SERVER_ERROR");
    assertThat(completions.results).containsOnlyKeys(ids.get(2));
  }

  @Test
  void rejectedBatchIsReportedAndItsLinesFailForGoodWithTheProvidersWords() throws Exception {
    List<String> ids = spoolLines(2);
    fake.batches().rejectNextBatch("Model gpt-4.1-mini is not supported in batch (fake).");
    Submission batch = activities.submit(submit(0, "lane/0/0", 10));

    BatchPoll poll = activities.poll(ref(0, batch.batchId()));
    LinesEnded failed =
        activities.failLines(
            new FailLinesRequest(ref(0, batch.batchId()), "rejected: " + poll.message()));

    assertThat(poll.state()).isEqualTo(BatchPoll.State.REJECTED);
    assertThat(poll.message()).contains("not supported in batch (fake)");
    assertThat(failed).isEqualTo(new LinesEnded(0, 2));
    assertThat(completions.failures.keySet()).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(completions.failures.values())
        .allSatisfy(f -> assertThat(f.isNonRetryable()).isTrue());
  }

  @Test
  void quotaRefusalIsToldApartFromRejection() throws Exception {
    spoolLines(1);
    fake.batches().refuseNextBatchesForQuota(1);
    Submission batch = activities.submit(submit(0, "lane/0/0", 10));

    assertThat(activities.poll(ref(0, batch.batchId())).state())
        .isEqualTo(BatchPoll.State.QUOTA_REFUSED);
    Submission again = activities.submit(submit(0, "lane/0/1", 10));
    assertThat(again.batchId()).isNotEqualTo(batch.batchId());
    assertThat(again.lines()).isEqualTo(1);
    assertThat(activities.poll(ref(0, again.batchId())).state()).isEqualTo(BatchPoll.State.ENDED);
  }

  @Test
  void aLineLargerThanABatchMayBeFailsItsCallInsteadOfBeingSent() throws Exception {
    List<String> ids = spoolLines(1);

    Submission none = activities.submit(new SubmitRequest(ref(0, null), "lane/0/0", 10, 100));

    assertThat(none.submitted()).isFalse();
    assertThat(fake.batches().batchesCreated()).isZero();
    assertThat(completions.failures.get(ids.get(0)).getOriginalMessage())
        .contains("larger than one batch may be");
    assertThat(activities.look(BatchRef.spool(ENDPOINT, SPOOL)).lines()).isZero();
  }

  @Test
  void keyWithoutBatchPermissionFailsTheProbeWithTheProvidersWords() {
    OpenAiBatchApi wrongKey =
        new OpenAiBatchApi(
            fake.baseUrl(),
            new OpenAiCodec(
                OpenAiSettings.openAi(fake.baseUrl(), new dev.loupe.provider.Secret("sk-other"))),
            new OkHttpClient(),
            Duration.ofSeconds(30));
    BatchActivitiesImpl other =
        new BatchActivitiesImpl(Map.of(ENDPOINT, wrongKey), spool, null, null, completions);

    assertThatThrownBy(() -> other.probe(BatchRef.spool(ENDPOINT, SPOOL)))
        .isInstanceOf(ApplicationFailure.class)
        .hasMessageContaining("Incorrect API key")
        .satisfies(f -> assertThat(((ApplicationFailure) f).isNonRetryable()).isTrue());
  }

  /** Spools {@code count} describe calls as batch lines; returns their custom IDs in order. */
  private List<String> spoolLines(int count) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String customId = BatchLineWriter.customId("dataset/img-" + i, "5");
      ModelRequest request =
          new ModelRequest("gpt-4.1-mini", null, "Describe image " + i + ".", null, null, 300);
      spool.put(
          SPOOL,
          new SpooledLine(
              customId,
              java.util.Base64.getEncoder().encodeToString(("token-" + customId).getBytes()),
              1,
              ApiMethod.DESCRIBE.name(),
              "describe",
              ENDPOINT,
              "gpt-4.1-mini",
              "allava/describe-en-1",
              0,
              false,
              300,
              api.requestBody(request),
              1_000L + i));
      ids.add(customId);
    }
    ids.sort(null);
    return ids;
  }

  private static SubmitRequest submit(int seq, String key, int maxRequests) {
    return new SubmitRequest(ref(seq, null), key, maxRequests, 1_000_000);
  }

  private static BatchRef ref(int seq, String batchId) {
    return new BatchRef(ENDPOINT, SPOOL, seq, batchId);
  }

  /** Records completions by custom ID (read back from the token); a token completes once. */
  private static final class RecordingCompletions implements LineCompletions {
    final Map<String, Object> results = new HashMap<>();
    final Map<String, ApplicationFailure> failures = new HashMap<>();
    private final Set<String> ended = new java.util.HashSet<>();

    @Override
    public synchronized boolean complete(byte[] taskToken, Object result) {
      String id = id(taskToken);
      if (!ended.add(id)) {
        return false;
      }
      results.put(id, result);
      return true;
    }

    @Override
    public synchronized boolean fail(byte[] taskToken, ApplicationFailure failure) {
      String id = id(taskToken);
      if (!ended.add(id)) {
        return false;
      }
      failures.put(id, failure);
      return true;
    }

    private static String id(byte[] token) {
      String text = new String(token, java.nio.charset.StandardCharsets.UTF_8);
      HexFormat.of().parseHex(text.substring("token-".length()));
      return text.substring("token-".length());
    }
  }
}
