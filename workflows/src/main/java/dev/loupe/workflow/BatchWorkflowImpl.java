package dev.loupe.workflow;

import dev.loupe.contract.BatchActivities;
import dev.loupe.contract.BatchPoll;
import dev.loupe.contract.BatchProgress;
import dev.loupe.contract.BatchRef;
import dev.loupe.contract.BatchRun;
import dev.loupe.contract.BatchRun.OpenBatch;
import dev.loupe.contract.BatchSettings;
import dev.loupe.contract.BatchTuning;
import dev.loupe.contract.BatchWorkflow;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.FailLinesRequest;
import dev.loupe.contract.KeepAliveRequest;
import dev.loupe.contract.LinesEnded;
import dev.loupe.contract.SpoolLook;
import dev.loupe.contract.Submission;
import dev.loupe.contract.SubmitRequest;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;

/**
 * One dataset's batch lane on one endpoint. Every {@code pollSeconds}: looks at the spool and, when
 * enough lines wait (or the oldest waited long enough), seals and submits them as the next batch,
 * whose provider ID the submit activity's result records in history before anything waits on it;
 * polls the open batches and delivers those that ended. A batch refused for quota is submitted
 * again later under a new round; a batch rejected as invalid fails its lines with the provider's
 * words. It runs until the dataset signals {@code close}; cancelled, it cancels its open batches,
 * delivers what they finished and fails the rest, and fails every line that still arrives until
 * {@code close}. State is O(open batches); it continues as new before history grows large.
 */
public final class BatchWorkflowImpl implements BatchWorkflow {
  private static final Logger log = Workflow.getLogger(BatchWorkflowImpl.class);

  static final String RUNNING = "running";
  static final String CANCELLING = "cancelling";
  static final String COMPLETED = "completed";

  /**
   * How often the waiting calls are heartbeated (see {@link BatchActivities#keepAlive}) by default;
   * a run keeps the value it started with ({@link BatchTuning}).
   */
  static final Duration KEEP_ALIVE_EVERY =
      Duration.ofSeconds(BatchTuning.DEFAULT.keepAliveEverySeconds());

  /** Change id: a run records its tuning and keeps it (see {@link RunKnobs}). */
  static final String TUNING_FIXED = "batch-tuning-fixed";

  static final String CANCELLED_MESSAGE =
      "the dataset was cancelled: its provider batches were cancelled";

  private final BatchTuning workerTuning;

  private BatchTuning tuning;
  private BatchRun input;
  private BatchActivities batch;
  private int nextSeq;
  private final List<OpenBatch> open = new ArrayList<>();
  private long linesSubmitted;
  private long linesDone;
  private long linesFailed;
  private boolean closing;
  private int linesWaiting;
  private long waitingSinceMillis;
  private String state = RUNNING;
  private List<Long> reported = List.of();
  private boolean keepsAlive;
  private long keptAliveAtMillis;

  public BatchWorkflowImpl() {
    this(BatchTuning.DEFAULT);
  }

  BatchWorkflowImpl(BatchTuning tuning) {
    this.workerTuning = tuning;
  }

  @Override
  public BatchProgress run(BatchRun run) {
    input = run;
    // Runs started before the keep-alive existed replay without it.
    keepsAlive =
        Workflow.getVersion("batch-line-keep-alive", Workflow.DEFAULT_VERSION, 1)
            != Workflow.DEFAULT_VERSION;
    tuning =
        RunKnobs.fixed(
            TUNING_FIXED,
            BatchTuning.class,
            run.carry() == null ? null : run.carry().tuning(),
            workerTuning);
    batch = ActivityStubs.batch(run.endpoint());
    restore(run.carry());
    try {
      while (!(closing && open.isEmpty() && linesWaiting == 0)) {
        tick();
        publish();
        if (closing && open.isEmpty() && linesWaiting == 0) {
          break;
        }
        if (continueAsNewDue()) {
          continueAsNew();
        }
        boolean closedBefore = closing;
        Workflow.await(pollEvery(), () -> closing != closedBefore);
      }
    } catch (CanceledFailure cancelled) {
      Workflow.newDetachedCancellationScope(this::cancelAll).run();
    } catch (ActivityFailure failure) {
      // Cancelled while an activity ran: the activity reports the cancellation.
      if (!(failure.getCause() instanceof CanceledFailure)) {
        throw failure;
      }
      Workflow.newDetachedCancellationScope(this::cancelAll).run();
    }
    state = COMPLETED;
    publish();
    return batches();
  }

  private void restore(BatchRun.Carry carry) {
    if (carry == null) {
      return;
    }
    nextSeq = carry.nextSeq();
    open.addAll(carry.open());
    linesSubmitted = carry.linesSubmitted();
    linesDone = carry.linesDone();
    linesFailed = carry.linesFailed();
    closing = carry.closing();
  }

  private void tick() {
    SpoolLook look = look();
    while (look.lines() > 0 && due(look)) {
      Submission submission = submit(nextSeq, 0);
      if (!submission.submitted() && !submission.wasRefused()) {
        break;
      }
      linesSubmitted += submission.lines();
      opened(new OpenBatch(nextSeq, null, submission.lines(), now(), 0, 0), submission);
      nextSeq++;
      waitingSinceMillis = 0;
      look = look();
    }
    for (OpenBatch each : List.copyOf(open)) {
      if (each.awaitingResubmission()) {
        resubmitWhenDue(each);
      } else {
        pollAndDeliver(each);
      }
    }
    keepAlive();
  }

  /**
   * Every keep-alive interval ({@link BatchTuning}), heartbeats the calls whose lines wait or are
   * in batches.
   */
  private void keepAlive() {
    if (!keepsAlive || now() - keptAliveAtMillis < tuning.keepAliveEverySeconds() * 1000L) {
      return;
    }
    keptAliveAtMillis = now();
    batch.keepAlive(
        new KeepAliveRequest(
            BatchRef.spool(input.endpoint(), input.spool()),
            open.stream().map(OpenBatch::seq).toList()));
  }

  private SpoolLook look() {
    SpoolLook look = batch.look(BatchRef.spool(input.endpoint(), input.spool()));
    linesWaiting = look.lines();
    if (look.lines() == 0) {
      waitingSinceMillis = 0;
    } else if (waitingSinceMillis == 0) {
      // Lines are first seen at a tick: the oldest has waited at most one poll interval more.
      waitingSinceMillis = now();
    }
    return look;
  }

  private boolean due(SpoolLook look) {
    BatchSettings settings = input.settings();
    return closing
        || look.lines() >= settings.maxRequests()
        || look.bytes() >= settings.maxBytes()
        || now() - waitingSinceMillis >= settings.maxWaitSeconds() * 1000L;
  }

  private Submission submit(int seq, int round) {
    BatchSettings settings = input.settings();
    return batch.submit(
        new SubmitRequest(
            ref(seq, null),
            Workflow.getInfo().getWorkflowId() + "/" + seq + "/" + round,
            settings.maxRequests(),
            settings.maxBytes()));
  }

  private void resubmitWhenDue(OpenBatch refused) {
    if (now() < refused.resubmitAtMillis()) {
      return;
    }
    int round = refused.round() + 1;
    open.remove(refused);
    opened(
        new OpenBatch(refused.seq(), null, refused.lines(), refused.submittedAtMillis(), round, 0),
        submit(refused.seq(), round));
  }

  /**
   * Records what a submission of {@code batch} did: a created batch opens; a quota refusal waits to
   * be submitted again; a rejection fails the batch's lines with the provider's words.
   */
  private void opened(OpenBatch opening, Submission submission) {
    if (submission.submitted()) {
      open.add(
          new OpenBatch(
              opening.seq(),
              submission.batchId(),
              opening.lines(),
              opening.submittedAtMillis(),
              opening.round(),
              0));
    } else if (submission.refused() == BatchPoll.State.QUOTA_REFUSED) {
      log.warn(
          "batch {} refused for quota, submitting its lines again in {}: {}",
          opening.seq(),
          quotaWait(),
          submission.message());
      open.add(
          new OpenBatch(
              opening.seq(),
              null,
              opening.lines(),
              opening.submittedAtMillis(),
              opening.round(),
              now() + quotaWait().toMillis()));
    } else if (submission.wasRefused()) {
      log.warn("batch {} rejected at creation: {}", opening.seq(), submission.message());
      count(
          batch.failLines(
              new FailLinesRequest(
                  ref(opening.seq(), null),
                  "the provider rejected batch " + opening.seq() + ": " + submission.message())));
    }
  }

  private void pollAndDeliver(OpenBatch each) {
    BatchPoll poll = batch.poll(ref(each.seq(), each.batchId()));
    switch (poll.state()) {
      case RUNNING -> {}
      case ENDED -> {
        LinesEnded ended = batch.deliver(ref(each.seq(), each.batchId()));
        count(ended);
        open.remove(each);
      }
      case QUOTA_REFUSED -> {
        log.warn(
            "batch {} ({}) refused for quota, submitting its lines again in {}: {}",
            each.seq(),
            each.batchId(),
            quotaWait(),
            poll.message());
        replace(
            each,
            new OpenBatch(
                each.seq(),
                null,
                each.lines(),
                each.submittedAtMillis(),
                each.round(),
                now() + quotaWait().toMillis()));
      }
      case REJECTED -> {
        log.warn("batch {} ({}) rejected: {}", each.seq(), each.batchId(), poll.message());
        count(
            batch.failLines(
                new FailLinesRequest(
                    ref(each.seq(), each.batchId()),
                    "the provider rejected batch " + each.batchId() + ": " + poll.message())));
        open.remove(each);
      }
    }
  }

  /**
   * Cancelled: cancels the open batches, delivers what they finished (their other lines fail for
   * good), and fails lines as they arrive until the dataset, done draining, signals close.
   */
  private void cancelAll() {
    state = CANCELLING;
    for (OpenBatch each : List.copyOf(open)) {
      if (each.awaitingResubmission()) {
        count(batch.failLines(new FailLinesRequest(ref(each.seq(), null), CANCELLED_MESSAGE)));
        open.remove(each);
      } else {
        batch.cancel(ref(each.seq(), each.batchId()));
      }
    }
    while (true) {
      count(
          batch.failLines(
              new FailLinesRequest(
                  BatchRef.spool(input.endpoint(), input.spool()), CANCELLED_MESSAGE)));
      linesWaiting = 0;
      for (OpenBatch each : List.copyOf(open)) {
        pollAndDeliver(each);
      }
      publish();
      if (closing && open.isEmpty()) {
        return;
      }
      boolean closedBefore = closing;
      Workflow.await(pollEvery(), () -> closing != closedBefore);
    }
  }

  private void count(LinesEnded ended) {
    linesDone += ended.done();
    linesFailed += ended.failed();
  }

  private void replace(OpenBatch old, OpenBatch updated) {
    open.set(open.indexOf(old), updated);
  }

  private BatchRef ref(int seq, String batchId) {
    return new BatchRef(input.endpoint(), input.spool(), seq, batchId);
  }

  private Duration pollEvery() {
    return Duration.ofSeconds(input.settings().pollSeconds());
  }

  private Duration quotaWait() {
    return pollEvery().multipliedBy(tuning.quotaWaitPolls());
  }

  private long now() {
    return Workflow.currentTimeMillis();
  }

  private boolean continueAsNewDue() {
    return Workflow.getInfo().getHistoryLength() > tuning.historyEventsBeforeContinue()
        || Workflow.getInfo().isContinueAsNewSuggested();
  }

  private void continueAsNew() {
    Workflow.await(Workflow::isEveryHandlerFinished);
    Workflow.continueAsNew(
        new BatchRun(
            input.datasetId(),
            input.endpoint(),
            input.spool(),
            input.settings(),
            new BatchRun.Carry(
                nextSeq,
                List.copyOf(open),
                linesSubmitted,
                linesDone,
                linesFailed,
                closing,
                tuning)));
  }

  @Override
  public void close() {
    closing = true;
  }

  @Override
  public BatchProgress batches() {
    long oldest = 0;
    for (OpenBatch each : open) {
      oldest = Math.max(oldest, (now() - each.submittedAtMillis()) / 1000);
    }
    return new BatchProgress(
        input == null ? null : input.endpoint(),
        state,
        open.size(),
        linesWaiting,
        linesSubmitted,
        linesDone,
        linesFailed,
        oldest);
  }

  /**
   * Shows the batches in the Temporal UI, and tells the dataset when a batch opened or ended or
   * lines ended (not at every tick, so the dataset's history grows by batches, not by time).
   */
  private void publish() {
    BatchProgress progress = batches();
    List<Long> figures =
        List.of(
            (long) progress.batchesOpen(),
            progress.linesSubmitted(),
            progress.linesDone(),
            progress.linesFailed());
    if (!figures.equals(reported)) {
      reported = figures;
      try {
        Workflow.newExternalWorkflowStub(DatasetWorkflow.class, input.datasetId())
            .batchProgress(progress);
      } catch (RuntimeException datasetGone) {
        log.info("dataset {} did not take the batch figures: {}", input.datasetId(), datasetGone);
      }
    }
    Workflow.setCurrentDetails(
        String.format(
            Locale.ROOT,
            "**batch lane of %s on %s**: %s\n\n"
                + "| batches open | lines waiting | submitted | done | failed | oldest batch |\n"
                + "|---|---|---|---|---|---|\n"
                + "| %d | %d | %d | %d | %d | %d s |\n",
            input.datasetId(),
            progress.endpoint(),
            progress.state(),
            progress.batchesOpen(),
            progress.linesWaiting(),
            progress.linesSubmitted(),
            progress.linesDone(),
            progress.linesFailed(),
            progress.oldestBatchAgeSeconds()));
  }
}
