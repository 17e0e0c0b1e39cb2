package dev.loupe.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.batch.BatchApi;
import dev.loupe.batch.BatchLineWriter;
import dev.loupe.batch.BatchSpool;
import dev.loupe.batch.LineCompletions;
import dev.loupe.batch.SpooledLine;
import dev.loupe.contract.BatchPoll;
import dev.loupe.contract.BatchRef;
import dev.loupe.contract.CaptionResult;
import dev.loupe.contract.FailLinesRequest;
import dev.loupe.contract.KeepAliveRequest;
import dev.loupe.contract.LinesEnded;
import dev.loupe.contract.Submission;
import dev.loupe.contract.SubmitRequest;
import dev.loupe.image.ImageLimits;
import dev.loupe.image.ImagePreparer;
import dev.loupe.image.ProviderImageLimits;
import dev.loupe.pricing.PriceTable;
import dev.loupe.prompt.PromptLibrary;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ProviderClients;
import dev.loupe.provider.ProviderKind;
import dev.loupe.provider.Secret;
import dev.loupe.provider.anthropic.FakeAnthropicServer;
import dev.loupe.provider.fake.FakeBatches;
import dev.loupe.provider.fake.FakeBatches.LineFate;
import dev.loupe.provider.gemini.FakeGeminiServer;
import dev.loupe.provider.openai.FakeOpenAiServer;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The batch activities against each provider's fake batch API (OpenAI Batch, Anthropic Message
 * Batches, Gemini Batch Mode) and an in-memory blob store: sealing, idempotent submission, delivery
 * by task token (once), failed and expired lines, rejection and quota refusal.
 */
class BatchActivitiesImplTest {
  private static final String ENDPOINT = "lane";
  private static final String SPOOL = "s3://bucket/run/.loupe/batch/";
  private static final String KEY = "sk-batch-test";

  private final InMemoryBlobStore blobs = new InMemoryBlobStore();
  private final RecordingCompletions completions = new RecordingCompletions();
  private final OkHttpClient http = new OkHttpClient();
  private AutoCloseable server;
  private FakeBatches fake;
  private String baseUrl;
  private ProviderKind kind;
  private String model;
  private BatchApi api;
  private BatchSpool spool;
  private BatchActivitiesImpl activities;
  private StageRunner runner;

  static List<ProviderKind> providers() {
    return List.of(ProviderKind.OPENAI, ProviderKind.ANTHROPIC, ProviderKind.GEMINI);
  }

  void start(ProviderKind provider) throws Exception {
    kind = provider;
    switch (provider) {
      case OPENAI -> {
        FakeOpenAiServer openAi = FakeOpenAiServer.start(0, KEY);
        server = openAi;
        fake = openAi.batches();
        baseUrl = openAi.baseUrl();
        model = "gpt-4.1-mini";
      }
      case ANTHROPIC -> {
        FakeAnthropicServer anthropic = FakeAnthropicServer.start(KEY);
        server = anthropic;
        fake = anthropic.batches();
        baseUrl = anthropic.baseUrl();
        model = "claude-haiku-4-5";
      }
      case GEMINI -> {
        FakeGeminiServer gemini = FakeGeminiServer.start(KEY);
        server = gemini;
        fake = gemini.batches();
        baseUrl = gemini.baseUrl();
        model = "gemini-2.5-flash";
      }
      default -> throw new IllegalArgumentException(provider.toString());
    }
    api = batchApi(KEY);
    spool = new BatchSpool(blobs, RecordMapper.create());
    ProviderClients clients = new ProviderClients(http);
    runner =
        new StageRunner(
            Map.of(
                ENDPOINT,
                new ModelEndpoint(
                    ENDPOINT,
                    clients.create(kind, baseUrl, new Secret(KEY), Duration.ofSeconds(30)),
                    ProviderImageLimits.forProvider(kind))),
            new PromptLibrary(ProjectConfig.files()),
            new PreparedImages(
                new SourceReader(
                    blobs, AllowedRoots.of(List.of("s3://bucket/"), List.of()), 1 << 20),
                new ImagePreparer(ImageLimits.DEFAULT_MAX_PIXELS),
                1),
            new PriceTable(Map.of(model, new PriceTable.Price(0.4, 1.6))),
            dev.loupe.cache.ResponseCaches.none());
    activities =
        new BatchActivitiesImpl(
            Map.of(ENDPOINT, api),
            spool,
            runner,
            new StageResults(new StructuredOutputs(RecordMapper.create())),
            completions);
  }

  private BatchApi batchApi(String key) {
    return new ProviderClients(http)
        .createBatchApi(kind, baseUrl, new Secret(key), Duration.ofSeconds(30), false)
        .orElseThrow();
  }

  @AfterEach
  void tearDown() throws Exception {
    server.close();
  }

  @ParameterizedTest
  @MethodSource("providers")
  void linesAreSealedSubmittedOnceAndDeliveredOnceByTaskToken(ProviderKind provider)
      throws Exception {
    start(provider);
    List<String> ids = spoolLines(5);

    Submission first = activities.submit(submit(0, "lane/0/0", 3));
    // A retried submit (its answer lost) finds the batch it created instead of creating another.
    Submission again = activities.submit(submit(0, "lane/0/0", 3));

    assertThat(first.lines()).isEqualTo(3);
    assertThat(again).isEqualTo(first);
    assertThat(fake.batchesCreated()).isEqualTo(1);
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
    assertThat(fake.linesReceived()).hasSize(3).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
  }

  @ParameterizedTest
  @MethodSource("providers")
  void keepAliveHeartbeatsTheWaitingLinesAndThoseInOpenBatchesButNotEndedOnes(ProviderKind provider)
      throws Exception {
    start(provider);
    List<String> ids = spoolLines(4);
    Submission batch = activities.submit(submit(0, "lane/0/0", 2));

    int alive =
        activities.keepAlive(new KeepAliveRequest(BatchRef.spool(ENDPOINT, SPOOL), List.of(0)));

    assertThat(alive).isEqualTo(4);
    assertThat(completions.heartbeats).containsExactlyInAnyOrderElementsOf(ids);
    activities.deliver(ref(0, batch.batchId()));
    completions.heartbeats.clear();
    assertThat(
            activities.keepAlive(new KeepAliveRequest(BatchRef.spool(ENDPOINT, SPOOL), List.of(0))))
        .isEqualTo(2);
    assertThat(completions.heartbeats).containsExactlyInAnyOrderElementsOf(ids.subList(2, 4));
  }

  @ParameterizedTest
  @MethodSource("providers")
  void resultsForUnknownOrRepeatedLinesAreIgnoredAndNothingIsDeliveredTwice(ProviderKind provider)
      throws Exception {
    start(provider);
    List<String> ids = spoolLines(2);
    Submission batch = activities.submit(submit(0, "lane/0/0", 10));
    // The provider's results, each line twice, plus a line that is not in the batch.
    BatchApi doubled =
        (BatchApi)
            java.lang.reflect.Proxy.newProxyInstance(
                BatchApi.class.getClassLoader(),
                new Class<?>[] {BatchApi.class},
                (proxy, method, args) -> {
                  if (!method.getName().equals("results")) {
                    try {
                      return method.invoke(api, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                      throw e.getCause();
                    }
                  }
                  BatchApi.ResultSink sink = (BatchApi.ResultSink) args[1];
                  api.results(
                      (BatchApi.Status) args[0],
                      (customId, body, failure) -> {
                        sink.accept(customId, body, failure);
                        sink.accept(customId, body, failure);
                        sink.accept("0123456789abcdef0123456789abcdef", body, failure);
                      });
                  return null;
                });
    BatchActivitiesImpl repeating =
        new BatchActivitiesImpl(
            Map.of(ENDPOINT, doubled),
            spool,
            runner,
            new StageResults(new StructuredOutputs(RecordMapper.create())),
            completions);

    LinesEnded delivered = repeating.deliver(ref(0, batch.batchId()));

    assertThat(delivered).isEqualTo(new LinesEnded(2, 0));
    assertThat(completions.results).containsOnlyKeys(ids);
    assertThat(completions.completeCalls).isEqualTo(2);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void failedAndExpiredLinesFailTheirCallsRetryablyWithTheReason(ProviderKind provider)
      throws Exception {
    start(provider);
    List<String> ids = spoolLines(3);
    fake.setLineRule(
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
    // OpenAI and Anthropic report an expired line; Gemini expires whole batches, so the line has
    // no result. Either way the call fails retryably and goes into a later batch.
    assertThat(expired.getOriginalMessage())
        .containsAnyOf("expired", "has no result in batch " + batch.batchId());
    ApplicationFailure failed = completions.failures.get(ids.get(1));
    assertThat(failed.isNonRetryable()).isFalse();
    assertThat(failed.getType()).isEqualTo("SERVER_ERROR");
    assertThat(completions.results).containsOnlyKeys(ids.get(2));
  }

  @ParameterizedTest
  @MethodSource("providers")
  void rejectedBatchIsReportedAndItsLinesFailForGoodWithTheProvidersWords(ProviderKind provider)
      throws Exception {
    start(provider);
    List<String> ids = spoolLines(2);
    fake.rejectNextBatch("Model " + model + " is not supported in batch (fake).");
    Submission batch = activities.submit(submit(0, "lane/0/0", 10));

    // OpenAI rejects a batch when it validates it (a poll says so); Anthropic and Gemini when it
    // is created (the submission says so). Either way its lines fail with the provider's words.
    String message;
    if (batch.wasRefused()) {
      assertThat(batch.refused()).isEqualTo(BatchPoll.State.REJECTED);
      message = batch.message();
    } else {
      BatchPoll poll = activities.poll(ref(0, batch.batchId()));
      assertThat(poll.state()).isEqualTo(BatchPoll.State.REJECTED);
      message = poll.message();
    }
    LinesEnded failed =
        activities.failLines(new FailLinesRequest(ref(0, batch.batchId()), "rejected: " + message));

    assertThat(message).contains("not supported in batch (fake)");
    assertThat(failed).isEqualTo(new LinesEnded(0, 2));
    assertThat(completions.failures.keySet()).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(completions.failures.values())
        .allSatisfy(f -> assertThat(f.isNonRetryable()).isTrue());
  }

  @ParameterizedTest
  @MethodSource("providers")
  void quotaRefusalIsToldApartFromRejection(ProviderKind provider) throws Exception {
    start(provider);
    spoolLines(1);
    fake.refuseNextBatchesForQuota(1);
    Submission batch = activities.submit(submit(0, "lane/0/0", 10));

    // Refused at creation (Anthropic: 429) or when the batch runs (OpenAI, Gemini).
    BatchPoll.State refused =
        batch.wasRefused() ? batch.refused() : activities.poll(ref(0, batch.batchId())).state();
    assertThat(refused).isEqualTo(BatchPoll.State.QUOTA_REFUSED);
    Submission again = activities.submit(submit(0, "lane/0/1", 10));
    assertThat(again.batchId()).isNotEqualTo(batch.batchId());
    assertThat(again.lines()).isEqualTo(1);
    assertThat(activities.poll(ref(0, again.batchId())).state()).isEqualTo(BatchPoll.State.ENDED);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void aLineLargerThanABatchMayBeFailsItsCallInsteadOfBeingSent(ProviderKind provider)
      throws Exception {
    start(provider);
    List<String> ids = spoolLines(1);

    Submission none = activities.submit(new SubmitRequest(ref(0, null), "lane/0/0", 10, 100));

    assertThat(none.submitted()).isFalse();
    assertThat(fake.batchesCreated()).isZero();
    assertThat(completions.failures.get(ids.get(0)).getOriginalMessage())
        .contains("larger than one batch may be");
    assertThat(activities.look(BatchRef.spool(ENDPOINT, SPOOL)).lines()).isZero();
  }

  @ParameterizedTest
  @MethodSource("providers")
  void keyWithoutBatchPermissionFailsTheProbeWithTheProvidersWords(ProviderKind provider)
      throws Exception {
    start(provider);
    BatchApi wrongKey = batchApi("sk-other");
    BatchActivitiesImpl other =
        new BatchActivitiesImpl(Map.of(ENDPOINT, wrongKey), spool, null, null, completions);

    assertThatThrownBy(() -> other.probe(BatchRef.spool(ENDPOINT, SPOOL)))
        .isInstanceOf(ApplicationFailure.class)
        .hasMessageContaining(
            switch (provider) {
              case OPENAI -> "Incorrect API key";
              case ANTHROPIC -> "invalid x-api-key";
              default -> "API key not valid";
            })
        .satisfies(f -> assertThat(((ApplicationFailure) f).isNonRetryable()).isTrue());
  }

  /** Spools {@code count} describe calls as batch lines; returns their custom IDs in order. */
  private List<String> spoolLines(int count) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String customId = BatchLineWriter.customId("dataset/img-" + i, "5");
      ModelRequest request =
          new ModelRequest(model, null, "Describe image " + i + ".", null, null, 300);
      spool.put(
          SPOOL,
          new SpooledLine(
              customId,
              java.util.Base64.getEncoder().encodeToString(("token-" + customId).getBytes()),
              1,
              ApiMethod.DESCRIBE.name(),
              "describe",
              ENDPOINT,
              model,
              "allava/describe-en-1",
              0,
              false,
              300,
              api.requestBody(request),
              1_000L + i,
              null));
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

    int completeCalls;

    @Override
    public synchronized boolean complete(byte[] taskToken, Object result) {
      completeCalls++;
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

    final List<String> heartbeats = new ArrayList<>();

    @Override
    public synchronized boolean heartbeat(byte[] taskToken) {
      String id = id(taskToken);
      if (ended.contains(id)) {
        return false;
      }
      heartbeats.add(id);
      return true;
    }

    private static String id(byte[] token) {
      String text = new String(token, java.nio.charset.StandardCharsets.UTF_8);
      HexFormat.of().parseHex(text.substring("token-".length()));
      return text.substring("token-".length());
    }
  }
}
