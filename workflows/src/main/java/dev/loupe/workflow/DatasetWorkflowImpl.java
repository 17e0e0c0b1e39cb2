package dev.loupe.workflow;

import dev.loupe.contract.BatchProgress;
import dev.loupe.contract.BatchRef;
import dev.loupe.contract.BatchRun;
import dev.loupe.contract.BatchSettings;
import dev.loupe.contract.BatchWorkflow;
import dev.loupe.contract.Counts;
import dev.loupe.contract.CpuActivities;
import dev.loupe.contract.DatasetCarry;
import dev.loupe.contract.DatasetFairness;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetTuning;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.ExportFormats;
import dev.loupe.contract.ExportRequest;
import dev.loupe.contract.ExportResult;
import dev.loupe.contract.FailedImage;
import dev.loupe.contract.ImageResult;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.ImageTask;
import dev.loupe.contract.ImageWorkflow;
import dev.loupe.contract.ListFailedRequest;
import dev.loupe.contract.ListSourceRequest;
import dev.loupe.contract.PersistRequest;
import dev.loupe.contract.Progress;
import dev.loupe.contract.RetryFailedResult;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.ScoreRequest;
import dev.loupe.contract.ShardExportRequest;
import dev.loupe.contract.ShardExportWorkflow;
import dev.loupe.contract.ShardOptions;
import dev.loupe.contract.ShardsResult;
import dev.loupe.contract.SourceItem;
import dev.loupe.contract.SourcePage;
import dev.loupe.contract.TaskQueues;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.common.Priority;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.ExternalWorkflowStub;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;

/**
 * Pages through the source, keeps at most {@code window} {@link ImageWorkflow} children in flight,
 * counts their outcomes, continues as new before history grows large, then exports. When images
 * failed, it waits for {@code retryFailed} (a round that lists the failed records again and runs
 * them as new children, then exports again) or {@code finish}. State is a cursor, counters, at most
 * one page of pending items and the in-flight hashes: O(window), not O(images).
 */
public final class DatasetWorkflowImpl implements DatasetWorkflow {
  private static final Logger log = Workflow.getLogger(DatasetWorkflowImpl.class);

  static final String PLANNING = "planning";
  static final String RUNNING = "running";
  static final String RETRYING = "retrying";
  static final String PAUSED = "paused";
  static final String DRAINING = "draining";
  static final String EXPORTING = "exporting";

  /** What a waiting run was told to do. */
  private enum Decision {
    RETRY,
    FINISH
  }

  /** A child that failed as a workflow, so it persisted no record; the run writes one. */
  private record Unrecorded(SourceItem item, String detail) {}

  /** Change id: a budget reserves each in-flight image's worst case. */
  static final String BUDGET_RESERVES = "budget-reserves-in-flight";

  /** Change id: a run records its tuning and keeps it (see {@link RunKnobs}). */
  static final String TUNING_FIXED = "dataset-tuning-fixed";

  private final DatasetTuning workerTuning;
  private final CpuActivities cpu = ActivityStubs.cpu();
  private final Deque<SourceItem> pending = new ArrayDeque<>();
  private final Set<String> inFlight = new HashSet<>();
  private final Deque<Unrecorded> unrecorded = new ArrayDeque<>();

  private DatasetTuning tuning;
  private RunPlan plan;
  private String runToken;
  private String datasetId;

  /** The fairness key and weight every task of this dataset carries. */
  private Priority fairness;

  private double weight = DatasetRequest.DEFAULT_WEIGHT;
  private String output;
  private String cursor;
  private boolean listingDone;
  private Counts counts = Counts.ZERO;
  private long startedAtMillis;
  private int continuedAsNew;
  private int retryRound;
  private int completions;
  private boolean paused;
  private boolean budgetSpent;
  private String state = PLANNING;
  private String message = "";
  private Decision decision;
  private long waitDeadlineMillis;
  private List<String> files = List.of();
  private List<FailedImage> failedSample = List.of();
  private boolean limitReached;
  private final Map<String, BatchProgress> batchLanes = new java.util.TreeMap<>();

  public DatasetWorkflowImpl() {
    this(DatasetTuning.DEFAULT);
  }

  public DatasetWorkflowImpl(DatasetTuning tuning) {
    this.workerTuning = tuning;
  }

  @Override
  public DatasetResult run(DatasetRequest request) {
    RequestValidation.check(request);
    RequestValidation.checkCarry(
        request, Workflow.getInfo().getContinuedExecutionRunId().isPresent());
    datasetId = Workflow.getInfo().getWorkflowId();
    fairness = DatasetFairness.of(datasetId, request);
    weight = request.weightOrDefault();
    output = request.output();
    restoreOrPlan(request);
    try {
      if (request.carry() == null) {
        probeScorer();
        startBatchLanes();
      }
      boolean another = true;
      while (another) {
        state = working();
        publish();
        if (runWindow(request)) {
          continueAsNew(request);
        }
        export(request, budgetSpent ? "stopped" : "completed");
        another = awaitDecision(request);
      }
    } catch (CanceledFailure cancelled) {
      Workflow.newDetachedCancellationScope(this::cancelBatchLanes).run();
      boolean wasWaiting = Progress.WAITING.equals(state);
      waitDeadlineMillis = 0;
      if (wasWaiting) {
        message = "cancelled while waiting for retryFailed: " + failedLine();
      } else {
        message = "cancelled: drained the images in flight and exported what was done";
        // Export even when cancelled: what was done is written out.
        Workflow.newDetachedCancellationScope(
                () -> {
                  drain();
                  export(request, "cancelled");
                })
            .run();
      }
    }
    Workflow.newDetachedCancellationScope(this::closeBatchLanes).run();
    state = Progress.COMPLETED;
    publish();
    // Detached: after a cancellation, waiting in the cancelled scope would throw at once.
    Workflow.newDetachedCancellationScope(() -> Workflow.await(Workflow::isEveryHandlerFinished))
        .run();
    return new DatasetResult(output, counts, files, message);
  }

  private void restoreOrPlan(DatasetRequest request) {
    DatasetCarry carry = request.carry();
    tuning =
        RunKnobs.fixed(
            TUNING_FIXED, DatasetTuning.class, carry == null ? null : carry.tuning(), workerTuning);
    if (carry != null) {
      plan = carry.plan();
      runToken = carry.runToken();
      cursor = carry.cursor();
      listingDone = carry.listingDone();
      pending.addAll(carry.pending() == null ? List.of() : carry.pending());
      counts = carry.counts();
      startedAtMillis = carry.startedAtMillis();
      continuedAsNew = carry.continuedAsNew();
      retryRound = carry.retryRound();
      return;
    }
    startedAtMillis = Workflow.currentTimeMillis();
    runToken = Workflow.getInfo().getFirstExecutionRunId();
    publish();
    try {
      plan = cpu.plan(request);
    } catch (ActivityFailure failure) {
      if (failure.getCause() instanceof ApplicationFailure application) {
        throw RequestValidation.invalid(application.getOriginalMessage());
      }
      throw failure;
    }
  }

  /**
   * When the recipe has the perplexity check: scores a fixed text on the scoring endpoint once, so
   * that an endpoint that cannot return prompt log-probabilities fails the start, naming it,
   * instead of failing every image.
   */
  private void probeScorer() {
    RunPlan.Perplexity perplexity = plan.checkSettingsOrDefault().perplexity();
    if (perplexity == null) {
      return;
    }
    try {
      ActivityStubs.scoreProbe(perplexity.endpoint())
          .scoreCaption(
              new ScoreRequest(
                  null,
                  perplexity.endpoint(),
                  perplexity.model(),
                  "A small red boat on a calm lake.",
                  "en"));
    } catch (ActivityFailure failure) {
      String why =
          failure.getCause() instanceof ApplicationFailure application
              ? application.getOriginalMessage()
              : String.valueOf(failure.getCause());
      throw RequestValidation.invalid(
          "recipe "
              + plan.recipe()
              + ": endpoint '"
              + perplexity.endpoint()
              + "' cannot score captions for the perplexity check: "
              + why);
    }
  }

  /**
   * For each endpoint a batch-lane stage uses: checks that its key may use batches (a refusal fails
   * the start with the provider's words), then starts its {@link BatchWorkflow}. It outlives this
   * run's continue-as-new (parent close policy ABANDON) and is closed when the dataset ends.
   */
  private void startBatchLanes() {
    Map<String, BatchSettings> lanes = plan.batchesOrEmpty();
    String spool = batchSpool();
    for (String endpoint : lanes.keySet()) {
      try {
        ActivityStubs.batchProbe(endpoint).probe(BatchRef.spool(endpoint, spool));
      } catch (ActivityFailure failure) {
        String why =
            failure.getCause() instanceof ApplicationFailure application
                ? application.getOriginalMessage()
                : String.valueOf(failure.getCause());
        throw RequestValidation.invalid(
            "endpoint '" + endpoint + "' cannot use the batch lane: " + why);
      }
    }
    for (Map.Entry<String, BatchSettings> lane : lanes.entrySet()) {
      BatchWorkflow child =
          Workflow.newChildWorkflowStub(
              BatchWorkflow.class,
              ChildWorkflowOptions.newBuilder()
                  .setWorkflowId(BatchWorkflow.workflowId(datasetId, lane.getKey()))
                  .setTaskQueue(TaskQueues.WORKFLOWS)
                  .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
                  .setPriority(fairness)
                  .build());
      Async.function(
          child::run, new BatchRun(datasetId, lane.getKey(), spool, lane.getValue(), null));
      try {
        Workflow.getWorkflowExecution(child).get();
      } catch (ChildWorkflowFailure alreadyRunning) {
        // A batch lane of this dataset ID is still open (a restarted dataset): it serves this run.
        log.info("batch lane {} already open: {}", lane.getKey(), alreadyRunning.getMessage());
      }
    }
  }

  private String batchSpool() {
    for (RunPlan.StagePlan stage : plan.stages().values()) {
      if (stage.batchSpool() != null) {
        return stage.batchSpool();
      }
    }
    return null;
  }

  /** Cancels the batch lanes: their open provider batches are cancelled, their lines end. */
  private void cancelBatchLanes() {
    for (String endpoint : plan.batchesOrEmpty().keySet()) {
      try {
        batchLane(endpoint).cancel();
      } catch (RuntimeException gone) {
        log.info("batch lane {} was not open: {}", endpoint, gone.getMessage());
      }
    }
  }

  /** No image will send lines any more: the batch lanes end. */
  private void closeBatchLanes() {
    for (String endpoint : plan.batchesOrEmpty().keySet()) {
      try {
        batchLane(endpoint).signal("close");
      } catch (RuntimeException gone) {
        log.info("batch lane {} was not open: {}", endpoint, gone.getMessage());
      }
    }
  }

  private ExternalWorkflowStub batchLane(String endpoint) {
    return Workflow.newUntypedExternalWorkflowStub(BatchWorkflow.workflowId(datasetId, endpoint));
  }

  /**
   * Runs images of the current listing (the source, or the failed list in a retry round) until
   * there are none left (false) or it is time to continue as new (true).
   */
  private boolean runWindow(DatasetRequest request) {
    int window = request.windowOrDefault();
    while (true) {
      recordUnrecorded();
      while (!paused && !stopStarting(request) && inFlight.size() < window) {
        if (continueAsNewDue() && pending.isEmpty()) {
          break;
        }
        SourceItem item = nextItem(request);
        if (item == null) {
          break;
        }
        start(request, item);
      }
      boolean noMoreToStart = stopStarting(request) || (pending.isEmpty() && listingDone);
      boolean idle = inFlight.isEmpty() && unrecorded.isEmpty();
      if (idle && noMoreToStart) {
        return false;
      }
      if (idle && continueAsNewDue() && pending.isEmpty()) {
        return true;
      }
      int seen = completions;
      boolean pausedBefore = paused;
      state = paused ? PAUSED : working();
      publish();
      Workflow.await(() -> completions != seen || paused != pausedBefore || !unrecorded.isEmpty());
    }
  }

  private SourceItem nextItem(DatasetRequest request) {
    if (pending.isEmpty() && !listingDone) {
      SourcePage page;
      if (retryRound > 0) {
        page = cpu.listFailed(new ListFailedRequest(output, cursor, tuning.pageSize()));
      } else {
        int pageSize = tuning.pageSize();
        if (request.limit() != null) {
          pageSize = (int) Math.min(pageSize, request.limit() - counts.listed());
        }
        page = cpu.listSource(new ListSourceRequest(request.source(), cursor, pageSize));
      }
      pending.addAll(page.items());
      cursor = page.nextCursor();
      listingDone = page.done() || page.items().isEmpty();
    }
    return pending.pollFirst();
  }

  private void start(DatasetRequest request, SourceItem item) {
    if (retryRound > 0) {
      if (inFlight.contains(item.sha256())) {
        return;
      }
      counts = counts.retrying();
    } else {
      counts = counts.withListed(1);
    }
    if (!inFlight.add(item.sha256())) {
      recordDuplicateInFlight(request, item);
      return;
    }
    ImageWorkflow child =
        Workflow.newChildWorkflowStub(
            ImageWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(childId(datasetId, item.sha256(), retryRound))
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .setTypedSearchAttributes(ImageSearchAttributes.atStart(datasetId))
                .setPriority(fairness)
                .build());
    ImageTask task = new ImageTask(datasetId, runToken, output, item, plan);
    // Children run detached so that cancelling the dataset drains them instead of killing them.
    Workflow.newDetachedCancellationScope(
            () ->
                Async.function(child::process, task)
                    .handle(
                        (result, failure) -> {
                          if (failure == null) {
                            complete(item, result);
                          } else {
                            unrecorded.add(
                                new Unrecorded(item, String.valueOf(failure.getMessage())));
                          }
                          return null;
                        }))
        .run();
  }

  /**
   * The child ID: the dataset and the image's hash, so a repeated start never doubles work; a retry
   * round adds {@code /retry-<n>}, since the earlier child of the same image has completed.
   */
  static String childId(String datasetId, String sha256, int retryRound) {
    String id = ImageWorkflow.workflowId(datasetId, sha256);
    return retryRound == 0 ? id : id + "/retry-" + retryRound;
  }

  /** The same bytes are being processed right now: record this copy as a duplicate. */
  private void recordDuplicateInFlight(DatasetRequest request, SourceItem item) {
    ImageResult result =
        cpu.persist(
            new PersistRequest(
                request.output(),
                datasetId,
                runToken,
                item,
                null,
                null,
                List.of(),
                List.of(),
                ImageStatus.REJECTED,
                "duplicate",
                "same bytes as an image in flight (sha256 " + item.sha256() + ")",
                0));
    counts = counts.add(result);
    completions++;
  }

  /** Children that failed as workflows get a failed record, so that retryFailed finds them. */
  private void recordUnrecorded() {
    while (!unrecorded.isEmpty()) {
      Unrecorded failed = unrecorded.pollFirst();
      ImageResult result =
          new ImageResult(
              failed.item().sha256(),
              failed.item().uri(),
              ImageStatus.FAILED,
              "workflow_error",
              failed.detail(),
              0,
              null);
      try {
        result =
            cpu.persist(
                new PersistRequest(
                    output,
                    datasetId,
                    runToken,
                    failed.item(),
                    null,
                    null,
                    List.of(),
                    List.of(),
                    ImageStatus.FAILED,
                    result.reason(),
                    result.detail(),
                    0));
      } catch (ActivityFailure storageDown) {
        log.warn("could not record the failure of {}: {}", failed.item().sha256(), storageDown);
      }
      complete(failed.item(), result);
    }
  }

  private void complete(SourceItem item, ImageResult result) {
    inFlight.remove(item.sha256());
    counts = counts.add(result);
    completions++;
  }

  private boolean stopStarting(DatasetRequest request) {
    if (retryRound == 0 && request.limit() != null && counts.listed() >= request.limit()) {
      limitReached = true;
      return true;
    }
    if (request.budgetUsd() != null && budgetWouldBeOvershot(request.budgetUsd())) {
      budgetSpent = true;
      message =
          String.format(
              Locale.ROOT,
              "budget of $%.2f spent ($%.4f, $%.4f reserved for %d images in flight):"
                  + " stopped starting new images",
              request.budgetUsd(),
              counts.costUsd(),
              reservedUsd(),
              inFlight.size());
      return true;
    }
    return false;
  }

  /**
   * Whether one more image could take the run over its budget: what finished images cost, plus each
   * image in flight and the next one at the plan's worst case per image. Images reserve when they
   * start and settle (their real cost replaces the reserve) when they end. Runs started before
   * reserves existed, and plans without a worst case, count only finished images.
   */
  private boolean budgetWouldBeOvershot(double budgetUsd) {
    if (Workflow.getVersion(BUDGET_RESERVES, Workflow.DEFAULT_VERSION, 1)
            == Workflow.DEFAULT_VERSION
        || plan.imageWorstCaseUsd() == null) {
      return counts.costUsd() >= budgetUsd;
    }
    return counts.costUsd() + reservedUsd() + plan.imageWorstCaseUsd() > budgetUsd;
  }

  /** The worst case of the images in flight. */
  private double reservedUsd() {
    return plan.imageWorstCaseUsd() == null ? 0 : inFlight.size() * plan.imageWorstCaseUsd();
  }

  private boolean continueAsNewDue() {
    return Workflow.getInfo().getHistoryLength() > tuning.historyEventsBeforeContinue()
        || Workflow.getInfo().isContinueAsNewSuggested();
  }

  private void continueAsNew(DatasetRequest request) {
    log.info(
        "continuing as new after {} images ({} history events)",
        counts.done(),
        Workflow.getInfo().getHistoryLength());
    Workflow.await(Workflow::isEveryHandlerFinished);
    DatasetCarry carry =
        new DatasetCarry(
            plan,
            runToken,
            cursor,
            listingDone,
            new ArrayList<>(pending),
            counts,
            startedAtMillis,
            continuedAsNew + 1,
            retryRound,
            tuning);
    Workflow.continueAsNew(request.withCarry(carry));
  }

  private void drain() {
    state = DRAINING;
    publish();
    while (!inFlight.isEmpty()) {
      Workflow.await(() -> inFlight.isEmpty() || !unrecorded.isEmpty());
      recordUnrecorded();
    }
  }

  private void export(DatasetRequest request, String status) {
    state = EXPORTING;
    publish();
    ExportResult exported =
        ActivityStubs.export()
            .export(
                new ExportRequest(
                    output,
                    datasetId,
                    request.withCarry(null),
                    plan,
                    startedAtMillis,
                    Workflow.currentTimeMillis(),
                    status));
    counts = exported.counts();
    files = exported.files();
    failedSample = exported.failedSampleOrEmpty();
    List<String> sharded = ExportFormats.sharded(request.formats());
    if (!sharded.isEmpty() && counts.accepted() > 0) {
      exportShards(request, sharded);
    }
  }

  /**
   * The WebDataset/Parquet shards, in a child workflow so that this history holds one event pair
   * however many shards there are. A failed shard export leaves the other files in place and is
   * reported in the message.
   */
  private void exportShards(DatasetRequest request, List<String> formats) {
    ShardExportWorkflow child =
        Workflow.newChildWorkflowStub(
            ShardExportWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(datasetId + "/shards-" + Workflow.randomUUID())
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .setPriority(fairness)
                .build());
    try {
      ShardsResult shards =
          child.export(
              new ShardExportRequest(
                  output,
                  request.conversationOrDefault(),
                  formats,
                  ShardOptions.orDefault(request.shards()),
                  null,
                  0));
      List<String> all = new ArrayList<>(files);
      all.addAll(shards.files());
      files = List.copyOf(all);
    } catch (ChildWorkflowFailure failure) {
      log.warn("the sharded export of {} failed: {}", output, failure.getCause());
      message =
          (message.isEmpty() ? "" : message + "; ")
              + "the "
              + String.join(" and ", formats)
              + " export failed: "
              + rootMessage(failure);
    }
  }

  private static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof ApplicationFailure application
        ? application.getOriginalMessage()
        : String.valueOf(cause.getMessage());
  }

  /**
   * After an export that left failed images: waits for {@code retryFailed} (true: a retry round
   * follows) or {@code finish}, or until the wait limit passes (false).
   */
  private boolean awaitDecision(DatasetRequest request) {
    double hours = request.failedWaitHoursOrDefault();
    if (counts.failed() == 0 || budgetSpent || hours <= 0) {
      return false;
    }
    Duration wait = Duration.ofMillis(Math.round(hours * 3_600_000));
    waitDeadlineMillis = Workflow.currentTimeMillis() + wait.toMillis();
    decision = null;
    state = Progress.WAITING;
    message = "";
    publish();
    log.info("{} images failed: waiting up to {} for retryFailed or finish", counts.failed(), wait);
    boolean decided = Workflow.await(wait, () -> decision != null);
    waitDeadlineMillis = 0;
    if (!decided) {
      message = "no retryFailed within the wait limit: " + failedLine();
      return false;
    }
    if (decision == Decision.FINISH) {
      message = "finished on request: " + failedLine();
      return false;
    }
    cursor = null;
    listingDone = false;
    pending.clear();
    log.info("retry round {}: running {} failed images again", retryRound, counts.failed());
    return true;
  }

  private String failedLine() {
    return counts.failed() + " images failed (see failed.jsonl)";
  }

  private String working() {
    return retryRound > 0 ? RETRYING : RUNNING;
  }

  /** Shows the progress as the workflow's current details in the Temporal UI. */
  private void publish() {
    Workflow.setCurrentDetails(
        DatasetDetails.markdown(
            progress(), datasetId, Progress.WAITING.equals(state) ? failedSample : List.of()));
  }

  @Override
  public Progress progress() {
    return new Progress(
        state,
        counts.listed(),
        retryRound > 0 || (pending.isEmpty() && (listingDone || limitReached)),
        counts.done(),
        counts.accepted(),
        counts.rejected(),
        counts.failed(),
        inFlight.size(),
        counts.qaAccepted(),
        counts.inputTokens(),
        counts.outputTokens(),
        counts.costUsd(),
        continuedAsNew,
        message,
        retryRound,
        output,
        waitDeadlineMillis == 0 ? null : Instant.ofEpochMilli(waitDeadlineMillis).toString(),
        List.copyOf(batchLanes.values()),
        weight,
        fairness == null ? null : fairness.getFairnessKey());
  }

  @Override
  public void pause() {
    paused = true;
  }

  @Override
  public void resume() {
    paused = false;
  }

  @Override
  public void batchProgress(BatchProgress progress) {
    batchLanes.put(progress.endpoint(), progress);
    publish();
  }

  @Override
  public RetryFailedResult retryFailed() {
    retryRound++;
    decision = Decision.RETRY;
    return new RetryFailedResult(retryRound, counts.failed());
  }

  @Override
  public void validateRetryFailed() {
    requireWaiting(RETRY_FAILED);
  }

  @Override
  public Progress finish() {
    decision = Decision.FINISH;
    return progress();
  }

  @Override
  public void validateFinish() {
    requireWaiting(FINISH);
  }

  private void requireWaiting(String update) {
    if (!Progress.WAITING.equals(state) || decision != null) {
      throw new IllegalStateException(
          update
              + " is accepted only while the run waits after an export that left failed images;"
              + " the run is "
              + (decision == null ? state : "starting a retry round or finishing")
              + " with "
              + counts.failed()
              + " failed images");
    }
  }
}
