package dev.loupe.workflow;

import dev.loupe.contract.Counts;
import dev.loupe.contract.CpuActivities;
import dev.loupe.contract.DatasetCarry;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.ExportRequest;
import dev.loupe.contract.ExportResult;
import dev.loupe.contract.ImageResult;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.ImageTask;
import dev.loupe.contract.ImageWorkflow;
import dev.loupe.contract.ListSourceRequest;
import dev.loupe.contract.PersistRequest;
import dev.loupe.contract.Progress;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.SourceItem;
import dev.loupe.contract.SourcePage;
import dev.loupe.contract.TaskQueues;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;

/**
 * Pages through the source, keeps at most {@code window} {@link ImageWorkflow} children in flight,
 * counts their outcomes, continues as new before history grows large, then exports. State is a
 * cursor, counters, at most one page of pending items and the in-flight hashes: O(window), not
 * O(images).
 */
public final class DatasetWorkflowImpl implements DatasetWorkflow {
  private static final Logger log = Workflow.getLogger(DatasetWorkflowImpl.class);

  private final DatasetTuning tuning;
  private final CpuActivities cpu = ActivityStubs.cpu();
  private final Deque<SourceItem> pending = new ArrayDeque<>();
  private final Set<String> inFlight = new HashSet<>();

  private RunPlan plan;
  private String runToken;
  private String cursor;
  private boolean listingDone;
  private Counts counts = Counts.ZERO;
  private long startedAtMillis;
  private int continuedAsNew;
  private int completions;
  private boolean paused;
  private String state = "planning";
  private String message = "";
  private DatasetResult result;

  public DatasetWorkflowImpl() {
    this(DatasetTuning.DEFAULT);
  }

  public DatasetWorkflowImpl(DatasetTuning tuning) {
    this.tuning = tuning;
  }

  @Override
  public DatasetResult run(DatasetRequest request) {
    RequestValidation.check(request);
    restoreOrPlan(request);
    String datasetId = Workflow.getInfo().getWorkflowId();
    try {
      state = "running";
      if (processAll(request, datasetId)) {
        continueAsNew(request);
      }
    } catch (CanceledFailure cancelled) {
      message = "cancelled: drained the images in flight and exported what was done";
      Workflow.newDetachedCancellationScope(() -> drain()).run();
    }
    // Export even when cancelled: what was done is written out.
    Workflow.newDetachedCancellationScope(() -> export(request, datasetId)).run();
    return result;
  }

  private void restoreOrPlan(DatasetRequest request) {
    DatasetCarry carry = request.carry();
    if (carry != null) {
      plan = carry.plan();
      runToken = carry.runToken();
      cursor = carry.cursor();
      listingDone = carry.listingDone();
      pending.addAll(carry.pending() == null ? List.of() : carry.pending());
      counts = carry.counts();
      startedAtMillis = carry.startedAtMillis();
      continuedAsNew = carry.continuedAsNew();
      return;
    }
    startedAtMillis = Workflow.currentTimeMillis();
    runToken = Workflow.getInfo().getFirstExecutionRunId();
    try {
      plan = cpu.plan(request);
    } catch (ActivityFailure failure) {
      if (failure.getCause() instanceof ApplicationFailure application) {
        throw RequestValidation.invalid(application.getOriginalMessage());
      }
      throw failure;
    }
  }

  /** Runs images until there are none left (false) or it is time to continue as new (true). */
  private boolean processAll(DatasetRequest request, String datasetId) {
    int window = request.windowOrDefault();
    while (true) {
      while (!paused && !stopStarting(request) && inFlight.size() < window) {
        if (continueAsNewDue() && pending.isEmpty()) {
          break;
        }
        SourceItem item = nextItem(request);
        if (item == null) {
          break;
        }
        start(request, datasetId, item);
      }
      boolean noMoreToStart = stopStarting(request) || (pending.isEmpty() && listingDone);
      if (inFlight.isEmpty() && noMoreToStart) {
        return false;
      }
      if (inFlight.isEmpty() && continueAsNewDue() && pending.isEmpty()) {
        return true;
      }
      int seen = completions;
      boolean pausedBefore = paused;
      state = paused ? "paused" : "running";
      Workflow.await(() -> completions != seen || paused != pausedBefore);
    }
  }

  private SourceItem nextItem(DatasetRequest request) {
    if (pending.isEmpty() && !listingDone) {
      int pageSize = tuning.pageSize();
      if (request.limit() != null) {
        pageSize = (int) Math.min(pageSize, request.limit() - counts.listed());
      }
      SourcePage page = cpu.listSource(new ListSourceRequest(request.source(), cursor, pageSize));
      pending.addAll(page.items());
      cursor = page.nextCursor();
      listingDone = page.done() || page.items().isEmpty();
    }
    return pending.pollFirst();
  }

  private void start(DatasetRequest request, String datasetId, SourceItem item) {
    counts = counts.withListed(1);
    if (!inFlight.add(item.sha256())) {
      recordDuplicateInFlight(request, datasetId, item);
      return;
    }
    ImageWorkflow child =
        Workflow.newChildWorkflowStub(
            ImageWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(ImageWorkflow.workflowId(datasetId, item.sha256()))
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .build());
    ImageTask task = new ImageTask(datasetId, runToken, request.output(), item, plan);
    // Children run detached so that cancelling the dataset drains them instead of killing them.
    Workflow.newDetachedCancellationScope(
            () ->
                Async.function(child::process, task)
                    .handle(
                        (result, failure) -> {
                          complete(
                              item,
                              failure == null
                                  ? result
                                  : new ImageResult(
                                      item.sha256(),
                                      item.uri(),
                                      ImageStatus.FAILED,
                                      "workflow_error",
                                      String.valueOf(failure.getMessage()),
                                      0,
                                      null));
                          return null;
                        }))
        .run();
  }

  /** The same bytes are being processed right now: record this copy as a duplicate. */
  private void recordDuplicateInFlight(DatasetRequest request, String datasetId, SourceItem item) {
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

  private void complete(SourceItem item, ImageResult result) {
    inFlight.remove(item.sha256());
    counts = counts.add(result);
    completions++;
  }

  private boolean stopStarting(DatasetRequest request) {
    if (request.limit() != null && counts.listed() >= request.limit()) {
      return true;
    }
    if (request.budgetUsd() != null && counts.costUsd() >= request.budgetUsd()) {
      message =
          String.format(
              Locale.ROOT,
              "budget of $%.2f spent ($%.4f): stopped starting new images",
              request.budgetUsd(),
              counts.costUsd());
      return true;
    }
    return false;
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
    DatasetCarry carry =
        new DatasetCarry(
            plan,
            runToken,
            cursor,
            listingDone,
            new ArrayList<>(pending),
            counts,
            startedAtMillis,
            continuedAsNew + 1);
    Workflow.continueAsNew(request.withCarry(carry));
  }

  private void drain() {
    state = "draining";
    Workflow.await(inFlight::isEmpty);
  }

  private void export(DatasetRequest request, String datasetId) {
    state = "exporting";
    String status =
        message.isEmpty() ? "completed" : message.startsWith("cancelled") ? "cancelled" : "stopped";
    ExportResult exported =
        ActivityStubs.export()
            .export(
                new ExportRequest(
                    request.output(),
                    datasetId,
                    request.withCarry(null),
                    plan,
                    startedAtMillis,
                    Workflow.currentTimeMillis(),
                    status));
    counts = exported.counts();
    state = "completed";
    result = new DatasetResult(request.output(), counts, exported.files(), message);
  }

  @Override
  public Progress progress() {
    return new Progress(
        state,
        counts.listed(),
        listingDone && pending.isEmpty(),
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
        message);
  }

  @Override
  public void pause() {
    paused = true;
  }

  @Override
  public void resume() {
    paused = false;
  }
}
