package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contract.BatchPoll;
import dev.loupe.contract.BatchProgress;
import dev.loupe.contract.BatchRun;
import dev.loupe.contract.BatchSettings;
import dev.loupe.contract.BatchTuning;
import dev.loupe.contract.BatchWorkflow;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetTuning;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.ImageWorkflow;
import dev.loupe.contract.Progress;
import dev.loupe.contract.RetryFailedResult;
import dev.loupe.contract.ShardExportWorkflow;
import dev.loupe.contract.ShardOptions;
import dev.loupe.contract.TaskQueues;
import dev.loupe.contract.TokenBudgetState;
import dev.loupe.contract.TokenBudgetWorkflow;
import dev.loupe.contract.TokenLeaseRequest;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Records the histories that {@link WorkflowReplayTest} replays: each scenario runs on the
 * in-memory server with the fakes, and the histories of the workflows it ran are kept as {@code
 * histories/<workflow type>/<scenario>.json}. Every dataset is started as {@value
 * RecordedHistories#DATASET_ID}, so child IDs in the histories match on replay.
 *
 * <p>Refresh (docs/versioning.md): {@code scripts/record-histories}, which runs {@link #main} with
 * the resources directory {@code workflows/src/test/resources}.
 */
public final class HistoryRecorder {
  private static final DatasetRequest REQUEST =
      DatasetRequest.of("file:///images/", "file:///out/");

  /** A scenario that has not ended by then fails instead of hanging the build. */
  private static final Duration RESULT_TIMEOUT = Duration.ofMinutes(1);

  private static final String BATCH_ID =
      BatchWorkflow.workflowId(RecordedHistories.DATASET_ID, "fake");

  /** One history to keep: {@code histories/<type>/<name>.json}. */
  record Recorded(String type, String name, WorkflowExecutionHistory history) {
    String file() {
      return type + "/" + name + ".json";
    }
  }

  private final List<Recorded> recorded = new ArrayList<>();

  private HistoryRecorder() {}

  /** Runs every scenario; returns the histories to keep. */
  static List<Recorded> recordAll() {
    HistoryRecorder recorder = new HistoryRecorder();
    recorder.retryRound();
    recorder.continueAsNew();
    recorder.carriedImageTerminated();
    recorder.pauseAndResume();
    recorder.cancelDrainsAndExports();
    recorder.qaPipeline();
    recorder.singleCallWithEvaluation();
    recorder.shardExport();
    recorder.batchLane();
    recorder.batchWorkflowAlone();
    recorder.tokenBudget();
    return List.copyOf(recorder.recorded);
  }

  /** Three images, one fails; the run waits, a retryFailed round accepts it, a second export. */
  private void retryRound() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(3);
      harness.cpu.failedWhenProbed.add("file:///images/1.png");
      WorkflowStub stub = harness.start(RecordedHistories.DATASET_ID, REQUEST);
      harness.awaitState(stub, Progress.WAITING);
      harness.cpu.failedWhenProbed.clear();
      stub.update(DatasetWorkflow.RETRY_FAILED, RetryFailedResult.class);
      assertThat(result(stub, DatasetResult.class).counts().accepted()).isEqualTo(3);
      keepDataset(harness, "retry-round");
      String failed = imageId(FakeCpuActivities.sha(1));
      keep(ImageWorkflow.TYPE, "probe-failed", harness.client().fetchHistory(failed));
      keep(
          ImageWorkflow.TYPE,
          "retried",
          harness.client().fetchHistory(DatasetWorkflowImpl.childId(datasetId(), sha(1), 1)));
    }
  }

  /** 24 images with a small history limit: the dataset continues as new twice or more. */
  private void continueAsNew() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness(new DatasetTuning(100, 10))) {
      harness.cpu.addImages(24);
      DatasetResult result = harness.run(RecordedHistories.DATASET_ID, REQUEST.withWindow(4));
      assertThat(result.counts().accepted()).isEqualTo(24);
      List<WorkflowExecutionHistory> runs = runs(harness.client(), datasetId());
      assertThat(runs).hasSizeGreaterThanOrEqualTo(2);
      keep(DatasetWorkflow.TYPE, "continue-as-new-first-run", runs.get(0));
      keep(DatasetWorkflow.TYPE, "continue-as-new-middle-run", runs.get(1));
      keep(DatasetWorkflow.TYPE, "continue-as-new-last-run", runs.get(runs.size() - 1));
    }
  }

  /**
   * Three images blocked in flight while pause and resume grow the history: the dataset continues
   * as new carrying them; one is terminated from outside, the new run looks it up and records it
   * failed, the other two report by imageDone.
   */
  private void carriedImageTerminated() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness(new DatasetTuning(100, 10))) {
      harness.cpu.addImages(3);
      harness.api.describeGate = new CountDownLatch(1);
      WorkflowStub stub =
          harness.startFollowing(
              RecordedHistories.DATASET_ID, REQUEST.withWindow(3).withFailedWaitHours(0.0));
      awaitInFlight(stub, 3);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (stub.query("progress", Progress.class).continuedAsNew() == 0) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        WorkflowTestHarness.signalCurrentRun(stub, "pause");
        WorkflowTestHarness.signalCurrentRun(stub, "resume");
      }
      WorkflowTestHarness.signalCurrentRun(stub, "resume");
      harness.client().newUntypedWorkflowStub(imageId(sha(1))).terminate("by hand");
      harness.api.describeGate.countDown();
      // The next run looks the image up after DatasetWorkflowImpl.WATCH_FIRST (time skipped).
      assertThat(result(stub, DatasetResult.class, Duration.ofMinutes(10)).counts().failed())
          .isEqualTo(1);
      List<WorkflowExecutionHistory> runs = runs(harness.client(), datasetId());
      keep(DatasetWorkflow.TYPE, "carried-image-terminated", runs.get(runs.size() - 1));
    }
  }

  /** Paused while the source is listed: no image starts until resume. */
  private void pauseAndResume() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(3);
      harness.cpu.listingGate = new CountDownLatch(1);
      WorkflowStub stub = harness.start(RecordedHistories.DATASET_ID, REQUEST.withWindow(2));
      harness.awaitState(stub, DatasetWorkflowImpl.RUNNING);
      stub.signal("pause");
      harness.cpu.listingGate.countDown();
      harness.awaitState(stub, DatasetWorkflowImpl.PAUSED);
      stub.signal("resume");
      assertThat(result(stub, DatasetResult.class).counts().accepted()).isEqualTo(3);
      keepDataset(harness, "pause-resume");
    }
  }

  /** Cancelled with two images in flight: they drain, and what was done is exported. */
  private void cancelDrainsAndExports() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(4);
      harness.api.describeGate = new CountDownLatch(1);
      WorkflowStub stub = harness.start(RecordedHistories.DATASET_ID, REQUEST.withWindow(2));
      awaitInFlight(stub, 2);
      stub.cancel();
      harness.awaitState(stub, DatasetWorkflowImpl.DRAINING);
      harness.api.describeGate.countDown();
      try {
        result(stub, DatasetResult.class);
      } catch (io.temporal.client.WorkflowFailedException cancelled) {
        // A cancelled workflow ends as cancelled, after its export.
      }
      assertThat(harness.cpu.exports.get(0).status()).isEqualTo("cancelled");
      keepDataset(harness, "cancel-drain");
    }
  }

  /** OCR, describe with caption checks, ask, answer, reason and every QA check on one image. */
  private void qaPipeline() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.plan = FakePlans.everyCheck();
      harness.cpu.addImages(1);
      harness.api.agreeByCheck.put(QaPipeline.BLIND, false);
      harness.run(RecordedHistories.DATASET_ID, REQUEST);
      assertThat(harness.cpu.persisted.get(sha(0)).qa()).singleElement();
      keep(ImageWorkflow.TYPE, "qa-pipeline", harness.client().fetchHistory(imageId(sha(0))));
    }
  }

  /** ALLaVA's single call (caption, question and answer at once), then self-evaluation. */
  private void singleCallWithEvaluation() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.plan = FakePlans.singleCall();
      harness.cpu.addImages(1);
      harness.run(RecordedHistories.DATASET_ID, REQUEST);
      keep(ImageWorkflow.TYPE, "single-call", harness.client().fetchHistory(imageId(sha(0))));
    }
  }

  /** WebDataset and Parquet shards: 7 shards × 2 formats, continuing as new after 10 tasks. */
  private void shardExport() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(2);
      harness.cpu.shardCount = 7;
      harness.run(
          RecordedHistories.DATASET_ID,
          REQUEST.withFormats(
              List.of("sharegpt", "webdataset", "parquet"), new ShardOptions(null, 10, 448, 85)));
      assertThat(harness.cpu.shardsWritten).hasSize(14);
      keepDataset(harness, "shard-export");
      List<WorkflowExecutionHistory> runs = runs(harness.client(), childOf(harness, "shards"));
      assertThat(runs).hasSize(2);
      keep(ShardExportWorkflow.TYPE, "continue-as-new-first-run", runs.get(0));
      keep(ShardExportWorkflow.TYPE, "continue-as-new-last-run", runs.get(1));
    }
  }

  /** A dataset whose describe stage is in the batch lane: it starts and closes a batch workflow. */
  private void batchLane() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.plan = FakePlans.describeInBatchLane();
      harness.cpu.addImages(2);
      harness.run(RecordedHistories.DATASET_ID, REQUEST);
      keepDataset(harness, "batch-lane");
    }
  }

  /** The batch workflow on its own: batches sent and delivered; a quota refusal; cancellation. */
  private void batchWorkflowAlone() {
    try (BatchLane lane = new BatchLane()) {
      lane.batches.waiting.set(7);
      WorkflowStub stub = lane.start(new BatchSettings(3, 1_000_000, 60, 5));
      lane.env.sleep(Duration.ofSeconds(10));
      stub.signal("close");
      assertThat(result(stub, BatchProgress.class).linesDone()).isEqualTo(7);
      keep("BatchWorkflow", "batches-delivered", lane.client().fetchHistory(BATCH_ID));
    }
    try (BatchLane lane = new BatchLane()) {
      lane.batches.waiting.set(4);
      lane.batches.script(0, BatchPoll.State.RUNNING, BatchPoll.State.QUOTA_REFUSED);
      WorkflowStub stub = lane.start(new BatchSettings(10, 1_000_000, 0, 5));
      lane.env.sleep(Duration.ofMinutes(3));
      stub.signal("close");
      assertThat(result(stub, BatchProgress.class).linesDone()).isEqualTo(4);
      keep("BatchWorkflow", "quota-refused-resubmitted", lane.client().fetchHistory(BATCH_ID));
    }
    try (BatchLane lane = new BatchLane()) {
      lane.batches.waiting.set(3);
      lane.batches.script(0, running(1000));
      lane.batches.endWhenCancelled = true;
      WorkflowStub stub = lane.start(new BatchSettings(10, 1_000_000, 0, 5));
      lane.env.sleep(Duration.ofSeconds(30));
      stub.cancel();
      lane.env.sleep(Duration.ofSeconds(30));
      lane.batches.waiting.set(2); // an image's next stage still sends a line
      lane.env.sleep(Duration.ofSeconds(30));
      stub.signal("close");
      try {
        result(stub, BatchProgress.class);
      } catch (io.temporal.client.WorkflowFailedException cancelled) {
        // Ends as cancelled, however cleanly it wound down.
      }
      keep("BatchWorkflow", "cancelled", lane.client().fetchHistory(BATCH_ID));
    }
    try (BatchLane lane = new BatchLane()) {
      lane.batches.waiting.set(1);
      lane.batches.script(0, running(100));
      WorkflowStub stub = lane.start(new BatchSettings(10, 1_000_000, 0, 1));
      lane.env.sleep(Duration.ofMinutes(3));
      stub.signal("close");
      assertThat(result(stub, BatchProgress.class).linesDone()).isEqualTo(1);
      List<WorkflowExecutionHistory> runs = runs(lane.client(), BATCH_ID);
      assertThat(runs).hasSizeGreaterThanOrEqualTo(2);
      keep("BatchWorkflow", "continue-as-new-first-run", runs.get(0));
      keep("BatchWorkflow", "continue-as-new-last-run", runs.get(runs.size() - 1));
    }
  }

  /** An endpoint's token budget: two processes lease, one stops renewing, its share comes back. */
  void tokenBudget() {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      env.newWorker(TaskQueues.WORKFLOWS)
          .registerWorkflowImplementationTypes(TokenBudgetWorkflowImpl.class);
      env.start();
      String id = TokenBudgetWorkflow.workflowId("fake");
      TokenBudgetWorkflow budget =
          env.getWorkflowClient()
              .newWorkflowStub(
                  TokenBudgetWorkflow.class,
                  WorkflowOptions.newBuilder()
                      .setWorkflowId(id)
                      .setTaskQueue(TaskQueues.WORKFLOWS)
                      .build());
      WorkflowClient.start(budget::run, TokenBudgetState.EMPTY);
      TokenBudgetWorkflow leases =
          env.getWorkflowClient().newWorkflowStub(TokenBudgetWorkflow.class, id);
      leases.lease(new TokenLeaseRequest("a", 60_000, 60_000, 0, 0L));
      leases.lease(new TokenLeaseRequest("b", 60_000, 60_000, 0, 0L));
      leases.lease(new TokenLeaseRequest("a", 60_000, 60_000, 1_200, 10_000L));
      env.sleep(Duration.ofSeconds(11));
      leases.lease(new TokenLeaseRequest("b", 60_000, 60_000, 900, 5_000L));
      keep("TokenBudgetWorkflow", "leases-and-expiry", env.getWorkflowClient().fetchHistory(id));
    }
  }

  /** A batch workflow alone on the in-memory server, with a small history limit. */
  private static final class BatchLane implements AutoCloseable {
    final TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    final FakeBatchActivities batches = new FakeBatchActivities();

    BatchLane() {
      env.newWorker(TaskQueues.WORKFLOWS)
          .registerWorkflowImplementationFactory(
              BatchWorkflow.class, () -> new BatchWorkflowImpl(new BatchTuning(100, 600, 10)));
      env.newWorker(TaskQueues.api("fake")).registerActivitiesImplementations(batches);
      env.start();
    }

    WorkflowClient client() {
      return env.getWorkflowClient();
    }

    WorkflowStub start(BatchSettings settings) {
      BatchWorkflow workflow =
          client()
              .newWorkflowStub(
                  BatchWorkflow.class,
                  WorkflowOptions.newBuilder()
                      .setWorkflowId(BATCH_ID)
                      .setTaskQueue(TaskQueues.WORKFLOWS)
                      .build());
      WorkflowClient.start(
          workflow::run,
          new BatchRun(RecordedHistories.DATASET_ID, "fake", "file:///spool/", settings, null));
      return WorkflowStub.fromTyped(workflow);
    }

    @Override
    public void close() {
      env.close();
    }
  }

  private void keepDataset(WorkflowTestHarness harness, String name) {
    keep(DatasetWorkflow.TYPE, name, harness.client().fetchHistory(datasetId()));
  }

  private void keep(String type, String name, WorkflowExecutionHistory history) {
    recorded.add(new Recorded(type, name, history));
  }

  /** Every run of a workflow, first to last, following continue-as-new back from the last. */
  static List<WorkflowExecutionHistory> runs(WorkflowClient client, String workflowId) {
    Deque<WorkflowExecutionHistory> runs = new ArrayDeque<>();
    WorkflowExecutionHistory run = client.fetchHistory(workflowId);
    while (true) {
      runs.addFirst(run);
      String previous =
          run.getEvents()
              .get(0)
              .getWorkflowExecutionStartedEventAttributes()
              .getContinuedExecutionRunId();
      if (previous.isEmpty()) {
        return List.copyOf(runs);
      }
      run = client.fetchHistory(workflowId, previous);
    }
  }

  /** The workflow ID of the dataset's child whose ID holds {@code marker}. */
  private static String childOf(WorkflowTestHarness harness, String marker) {
    for (HistoryEvent event : harness.client().fetchHistory(datasetId()).getEvents()) {
      if (event.hasStartChildWorkflowExecutionInitiatedEventAttributes()) {
        String id = event.getStartChildWorkflowExecutionInitiatedEventAttributes().getWorkflowId();
        if (id.contains(marker)) {
          return id;
        }
      }
    }
    throw new AssertionError("the dataset started no child with '" + marker + "' in its ID");
  }

  private static void awaitInFlight(WorkflowStub stub, int images) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (stub.query("progress", Progress.class).inFlight() < images) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never had " + images + " images in flight");
      }
      Thread.onSpinWait();
    }
  }

  private static BatchPoll.State[] running(int polls) {
    BatchPoll.State[] states = new BatchPoll.State[polls];
    java.util.Arrays.fill(states, BatchPoll.State.RUNNING);
    return states;
  }

  /** The workflow's result; fails when it has not ended within {@link #RESULT_TIMEOUT}. */
  private static <T> T result(WorkflowStub stub, Class<T> type) {
    return result(stub, type, RESULT_TIMEOUT);
  }

  /**
   * The workflow's result; fails when it has not ended within {@code timeout}, which counts the
   * server's time: longer than a timer the test server skips.
   */
  private static <T> T result(WorkflowStub stub, Class<T> type, Duration timeout) {
    try {
      return stub.getResult(timeout.toSeconds(), TimeUnit.SECONDS, type);
    } catch (TimeoutException e) {
      throw new AssertionError(
          stub.getExecution().getWorkflowId() + " did not end within " + timeout, e);
    }
  }

  private static String datasetId() {
    return RecordedHistories.DATASET_ID;
  }

  private static String imageId(String sha256) {
    return ImageWorkflow.workflowId(datasetId(), sha256);
  }

  private static String sha(int image) {
    return FakeCpuActivities.sha(image);
  }

  /**
   * Records every scenario again into {@code <resources>/histories/}: {@code args[0]} is the test
   * resources directory (from the repository root: {@code workflows/src/test/resources}). Files of
   * earlier builds ({@code <scenario>-<commit>.json}) are left in place.
   */
  public static void main(String[] args) throws IOException {
    Path histories = Path.of(args.length > 0 ? args[0] : "src/test/resources").resolve("histories");
    for (Recorded history : recordAll()) {
      Path file = histories.resolve(history.file());
      Files.createDirectories(file.getParent());
      Files.writeString(file, history.history().toJson(true) + "\n", StandardCharsets.UTF_8);
      System.out.println("recorded " + file);
    }
  }
}
