package dev.loupe.workflow;

import dev.loupe.contract.BatchProgress;
import dev.loupe.contract.BatchRef;
import dev.loupe.contract.BatchRun;
import dev.loupe.contract.BatchSettings;
import dev.loupe.contract.BatchWorkflow;
import dev.loupe.contract.ClosedImagesRequest;
import dev.loupe.contract.ClosedImagesResult;
import dev.loupe.contract.Counts;
import dev.loupe.contract.CpuActivities;
import dev.loupe.contract.DatasetCarry;
import dev.loupe.contract.DatasetCarry.InFlightImage;
import dev.loupe.contract.DatasetFairness;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetTuning;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.ExportFormats;
import dev.loupe.contract.ExportRequest;
import dev.loupe.contract.ExportResult;
import dev.loupe.contract.FailedImage;
import dev.loupe.contract.ImageDone;
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
import dev.loupe.contract.Usage;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.common.Priority;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.ExternalWorkflowStub;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Pages through the source, keeps at most {@code window} {@link ImageWorkflow} children in flight,
 * counts their outcomes, continues as new before history grows large, then exports. When images
 * failed, it waits for {@code retryFailed} (a round that lists the failed records again and runs
 * them as new children, then exports again) or {@code finish}. State is a cursor, counters, at most
 * one page of pending items and the images in flight: O(window), not O(images).
 *
 * <p>The window stays full across continue-as-new: children are started with parent close policy
 * ABANDON, report how they ended by {@link DatasetWorkflow#imageDone(ImageDone)} to the dataset's
 * workflow ID (which the next run keeps), and the images in flight travel in the carry. A carried
 * child that closes without reporting (failed as a workflow, terminated, timed out) is found by
 * looking it up on the server now and then ({@link #watchCarried()}) and recorded as failed.
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
  private record Unrecorded(String childId, SourceItem item, String detail) {}

  /** Change id: a budget reserves each in-flight image's worst case. */
  static final String BUDGET_RESERVES = "budget-reserves-in-flight";

  /** Change id: a run records its tuning and keeps it (see {@link RunKnobs}). */
  static final String TUNING_FIXED = "dataset-tuning-fixed";

  /**
   * Change id: children outlive continue-as-new (ABANDON), report by {@code imageDone}, and the
   * images in flight are carried, so the window is not drained before each continue-as-new.
   */
  static final String WINDOW_ACROSS_CONTINUE = "window-kept-full-across-continue-as-new";

  /** First look at carried children not heard from; doubles while none is found closed. */
  static final Duration WATCH_FIRST = Duration.ofMinutes(1);

  /** Longest wait between two looks at carried children not heard from. */
  static final Duration WATCH_MOST = Duration.ofMinutes(30);

  /** Bounds of a plausible {@code imageDone}: anything beyond is not from one of our images. */
  private static final int MOST_QA_PER_IMAGE = 10_000;

  /** At most this many fills of the window once continue-as-new is due. */
  private static final int MOST_REFILLS = 3;

  /** Signals buffered before the carry is restored, at most (one window's worth). */
  private static final int MOST_EARLY_SIGNALS = DatasetRequest.MAX_WINDOW;

  private final DatasetTuning workerTuning;
  private final CpuActivities cpu = ActivityStubs.cpu();
  private final Deque<SourceItem> pending = new ArrayDeque<>();

  /** The images in flight by SHA-256, with their child IDs, in start order. */
  private final Map<String, InFlightImage> inFlight = new LinkedHashMap<>();

  /** Of the images in flight, those carried from an earlier run and not heard from since. */
  private final Set<String> unheard = new LinkedHashSet<>();

  private final Deque<Unrecorded> unrecorded = new ArrayDeque<>();
  private final List<ImageDone> early = new ArrayList<>();

  /** Whether this run takes the {@link #WINDOW_ACROSS_CONTINUE} path. */
  private boolean keepsWindow;

  /** Whether the carry (or the plan) is in place, so signals can be checked against it. */
  private boolean restored;

  /** Children whose start the server has not confirmed yet. */
  private int starting;

  /** Times this run filled its window again before continuing as new. */
  private int refills;

  private Promise<Void> watchTimer;
  private Duration watchDelay = WATCH_FIRST;

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
    keepsWindow =
        Workflow.getVersion(WINDOW_ACROSS_CONTINUE, Workflow.DEFAULT_VERSION, 1)
            != Workflow.DEFAULT_VERSION;
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
      paused = carry.pausedOrFalse();
      for (InFlightImage image : carry.inFlightOrEmpty()) {
        inFlight.put(image.item().sha256(), image);
        unheard.add(image.item().sha256());
      }
      restored();
      if (!unheard.isEmpty()) {
        watchTimer = watchTimer();
      }
      return;
    }
    startedAtMillis = Workflow.currentTimeMillis();
    runToken = Workflow.getInfo().getFirstExecutionRunId();
    restored();
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
        if (!keepsWindow && continueAsNewDue() && pending.isEmpty()) {
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
      if (!keepsWindow && idle && continueAsNewDue() && pending.isEmpty()) {
        return true;
      }
      if (keepsWindow && continueAsNewDue()) {
        // With the window full: the images in flight go on, are carried, and the next run starts
        // new ones as they end.
        Workflow.await(() -> starting == 0);
        recordUnrecorded(); // a child that could not start is not carried as if running
        if (inFlight.size() < window && !noMoreToStart && !paused && refills < MOST_REFILLS) {
          refills++; // images ended while the starts were confirmed: fill the window again
          continue;
        }
        return true;
      }
      int seen = completions;
      boolean pausedBefore = paused;
      state = paused ? PAUSED : working();
      publish();
      awaitChange(() -> completions != seen || paused != pausedBefore || !unrecorded.isEmpty());
    }
  }

  /**
   * Waits until {@code changed}; meanwhile, when the watch timer fires, looks at the carried
   * children not heard from.
   */
  private void awaitChange(Supplier<Boolean> changed) {
    Promise<Void> timer = watchTimer;
    if (timer == null) {
      Workflow.await(changed);
      return;
    }
    Workflow.await(() -> changed.get() || timer.isCompleted());
    if (timer.isCompleted()) {
      watchTimer = null;
      watchCarried();
    }
  }

  /** A timer that outlives a cancellation of the run, so the drain keeps watching. */
  private Promise<Void> watchTimer() {
    List<Promise<Void>> timer = new ArrayList<>(1);
    Workflow.newDetachedCancellationScope(() -> timer.add(Workflow.newTimer(watchDelay))).run();
    return timer.get(0);
  }

  /**
   * Asks the server which carried children not heard from have closed. A child that completed
   * counts with its result (its signal may still come, and is then ignored); one that closed
   * otherwise (failed as a workflow, terminated, timed out) gets a failed record, as a child of
   * this run that failed as a workflow does. Looks again later while any remain, less often each
   * time none has closed.
   */
  private void watchCarried() {
    if (unheard.isEmpty()) {
      return;
    }
    Map<String, String> shaByChild = new LinkedHashMap<>();
    for (String sha : unheard) {
      if (shaByChild.size() == ClosedImagesRequest.MAX_IDS) {
        break;
      }
      shaByChild.put(inFlight.get(sha).childId(), sha);
    }
    List<ClosedImagesResult.Closed> closed = List.of();
    try {
      List<ClosedImagesResult> found = new ArrayList<>(1);
      Workflow.newDetachedCancellationScope(
              () ->
                  found.add(
                      ActivityStubs.workflows()
                          .closedImages(new ClosedImagesRequest(List.copyOf(shaByChild.keySet())))))
          .run();
      closed = found.get(0).closed();
    } catch (ActivityFailure serverDown) {
      log.warn("could not look up {} images in flight: {}", shaByChild.size(), serverDown);
    }
    boolean any = false;
    for (ClosedImagesResult.Closed child : closed) {
      String sha = shaByChild.get(child.workflowId());
      if (sha == null || !unheard.contains(sha)) {
        continue;
      }
      any = true;
      if (ClosedImagesResult.Closed.COMPLETED.equals(child.status()) && child.result() != null) {
        complete(sha, child.workflowId(), child.result());
      } else {
        unheard.remove(sha);
        unrecorded.add(
            new Unrecorded(
                child.workflowId(),
                inFlight.get(sha).item(),
                "the image workflow ended " + child.status() + " without a result"));
      }
    }
    if (!any) {
      watchDelay = watchDelay.multipliedBy(2);
      if (watchDelay.compareTo(WATCH_MOST) > 0) {
        watchDelay = WATCH_MOST;
      }
    }
    if (!unheard.isEmpty()) {
      watchTimer = watchTimer();
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
      if (inFlight.containsKey(item.sha256())) {
        return;
      }
      counts = counts.retrying();
    } else {
      counts = counts.withListed(1);
    }
    String childId = childId(datasetId, item.sha256(), retryRound);
    if (inFlight.putIfAbsent(item.sha256(), new InFlightImage(childId, item)) != null) {
      recordDuplicateInFlight(request, item);
      return;
    }
    ChildWorkflowOptions.Builder options =
        ChildWorkflowOptions.newBuilder()
            .setWorkflowId(childId)
            .setTaskQueue(TaskQueues.WORKFLOWS)
            .setTypedSearchAttributes(ImageSearchAttributes.atStart(datasetId))
            .setPriority(fairness);
    if (keepsWindow) {
      // Continue-as-new closes this run: the child goes on and reports to the next one.
      options.setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON);
    }
    ImageWorkflow child = Workflow.newChildWorkflowStub(ImageWorkflow.class, options.build());
    ImageTask task =
        new ImageTask(datasetId, runToken, output, item, plan, keepsWindow ? true : null);
    // Children run detached so that cancelling the dataset drains them instead of killing them.
    Workflow.newDetachedCancellationScope(
            () ->
                Async.function(child::process, task)
                    .handle(
                        (result, failure) -> {
                          if (failure == null) {
                            complete(item.sha256(), childId, result);
                          } else {
                            unrecorded.add(
                                new Unrecorded(
                                    childId, item, String.valueOf(failure.getMessage())));
                          }
                          return null;
                        }))
        .run();
    if (keepsWindow) {
      starting++;
      Workflow.getWorkflowExecution(child)
          .handle(
              (execution, failure) -> {
                starting--;
                return null;
              });
    }
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
      if (!isInFlight(failed.item().sha256(), failed.childId())) {
        continue; // counted already, from its imageDone
      }
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
      complete(failed.item().sha256(), failed.childId(), result);
    }
  }

  private boolean isInFlight(String sha256, String childId) {
    InFlightImage image = inFlight.get(sha256);
    return image != null && image.childId().equals(childId);
  }

  /**
   * Counts how the image ended, once: its completion, its {@code imageDone} signal and a look-up
   * may all report it, and only the first one that finds it in flight under that child ID counts.
   */
  private void complete(String sha256, String childId, ImageResult result) {
    if (!isInFlight(sha256, childId)) {
      return;
    }
    inFlight.remove(sha256);
    unheard.remove(sha256);
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
            tuning,
            keepsWindow ? List.copyOf(inFlight.values()) : null,
            keepsWindow ? paused : null);
    Workflow.continueAsNew(request.withCarry(carry));
  }

  private void drain() {
    state = DRAINING;
    publish();
    while (!inFlight.isEmpty()) {
      awaitChange(() -> inFlight.isEmpty() || !unrecorded.isEmpty());
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
  public void imageDone(ImageDone done) {
    if (!restored) {
      // Delivered before the run restored its carry: checked once it has.
      if (early.size() < MOST_EARLY_SIGNALS) {
        early.add(done);
      }
      return;
    }
    String problem = problemOf(done);
    if (problem != null) {
      log.warn("ignored an imageDone signal: {}", problem);
      return;
    }
    complete(done.result().sha256(), done.childId(), done.result());
  }

  private void restored() {
    restored = true;
    for (ImageDone done : early) {
      imageDone(done);
    }
    early.clear();
  }

  /** Why a signal is not one of this run's images reporting, or null when it is. */
  private String problemOf(ImageDone done) {
    if (!keepsWindow) {
      return "this run counts its children's completions";
    }
    if (done == null || done.result() == null || done.result().sha256() == null) {
      return "no result";
    }
    ImageResult result = done.result();
    if (!isInFlight(result.sha256(), done.childId())) {
      return "no image in flight under child ID " + abbreviated(done.childId());
    }
    if (!runToken.equals(done.runToken())) {
      return "another dataset run's image " + abbreviated(done.childId());
    }
    if (result.status() == null) {
      return "no status";
    }
    if (result.qaAccepted() < 0 || result.qaAccepted() > MOST_QA_PER_IMAGE) {
      return "implausible accepted QA pairs: " + result.qaAccepted();
    }
    Usage usage = result.usage();
    if (usage != null
        && (usage.inputTokens() < 0
            || usage.outputTokens() < 0
            || !(usage.costUsd() >= 0)
            || Double.isInfinite(usage.costUsd()))) {
      return "implausible usage";
    }
    return null;
  }

  private static String abbreviated(String text) {
    if (text == null) {
      return "null";
    }
    return text.length() <= 200 ? text : text.substring(0, 200) + "…";
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
