package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.contract.DatasetCarry;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetTuning;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.ImageDone;
import dev.loupe.contract.ImageResult;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.PersistRequest;
import dev.loupe.contract.Progress;
import dev.loupe.contract.Usage;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.common.converter.DefaultDataConverter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The window across continue-as-new: the images in flight are carried, report by {@code imageDone}
 * to the next run, and are counted once; a carried image that ends without reporting is found and
 * recorded failed; a signal that is not from an image in flight is ignored.
 */
class DatasetWindowTest {
  private static final DatasetRequest REQUEST =
      DatasetRequest.of("file:///images/", "file:///out/");

  /** Continue-as-new after 100 history events. */
  private static final DatasetTuning SMALL_HISTORY = new DatasetTuning(100, 10);

  @Test
  void imagesInFlightAcrossContinueAsNewAreCountedOnceAndTheWindowIsCarriedFull() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness(SMALL_HISTORY)) {
      harness.cpu.addImages(60);
      // Long enough that no image ends while the run waits for its last starts to be confirmed.
      harness.api.describeMillis = 500;
      DatasetResult result =
          harness.run("window-1", REQUEST.withWindow(5).withFailedWaitHours(0.0));

      assertThat(harness.cpu.persisted.values())
          .allSatisfy(record -> assertThat(record.detail()).isNull());
      assertThat(result.counts().listed()).isEqualTo(60);
      assertThat(result.counts().accepted()).isEqualTo(60);
      assertThat(result.counts().done()).isEqualTo(60);
      // describe + ask + answer + evaluate per image, 10 input tokens each: each image once.
      assertThat(result.counts().inputTokens()).isEqualTo(60 * 4 * 10);
      assertThat(harness.cpu.persisted).hasSize(60);

      List<WorkflowExecutionHistory> runs = HistoryRecorder.runs(harness.client(), "window-1");
      assertThat(runs).hasSizeGreaterThanOrEqualTo(3);
      int carriedFull = 0;
      for (WorkflowExecutionHistory run : runs.subList(1, runs.size())) {
        DatasetCarry carry = inputOf(run).carry();
        boolean moreToStart = !carry.listingDone() || !carry.pending().isEmpty();
        if (moreToStart) {
          // Just before continue-as-new the window was full (it was not drained), and the next
          // run has it all in flight.
          assertThat(carry.inFlightOrEmpty()).hasSize(5);
          carriedFull++;
        }
      }
      assertThat(carriedFull).isGreaterThanOrEqualTo(2);
      // The carried images reported to a later run than the one that started them.
      assertThat(runs.subList(1, runs.size()).stream().mapToLong(r -> imageDoneSignals(r)).sum())
          .isGreaterThanOrEqualTo(5L * carriedFull);
    }
  }

  @Test
  void cancellingDrainsTheCarriedImagesAndExportsThem() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness(SMALL_HISTORY)) {
      harness.cpu.addImages(10);
      harness.api.describeGate = new CountDownLatch(1);
      WorkflowStub stub = harness.startFollowing("window-2", REQUEST.withWindow(3));
      Progress carried = continueAsNewWithImagesInFlight(harness, stub, 3);
      assertThat(carried.done()).isZero();

      stub.cancel();
      harness.awaitState(stub, DatasetWorkflowImpl.DRAINING);
      harness.api.describeGate.countDown();
      assertThatThrownBy(() -> stub.getResult(DatasetResult.class))
          .isInstanceOf(WorkflowFailedException.class);

      Progress done = stub.query("progress", Progress.class);
      assertThat(done.inFlight()).isZero();
      assertThat(done.done()).isEqualTo(3);
      assertThat(done.accepted()).isEqualTo(3);
      assertThat(harness.cpu.persisted).hasSize(3);
      assertThat(harness.cpu.exports).singleElement();
      assertThat(harness.cpu.exports.get(0).status()).isEqualTo("cancelled");
    }
  }

  @Test
  void aCarriedImageTerminatedFromOutsideIsRecordedFailedAndTheRunEnds() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness(SMALL_HISTORY)) {
      harness.cpu.addImages(3);
      harness.api.describeGate = new CountDownLatch(1);
      WorkflowStub stub =
          harness.startFollowing("window-3", REQUEST.withWindow(3).withFailedWaitHours(0.0));
      continueAsNewWithImagesInFlight(harness, stub, 3);
      String terminated = DatasetWorkflowImpl.childId("window-3", FakeCpuActivities.sha(1), 0);
      harness.client().newUntypedWorkflowStub(terminated).terminate("by hand");
      harness.api.describeGate.countDown();

      DatasetResult result = stub.getResult(DatasetResult.class);
      assertThat(result.counts().accepted()).isEqualTo(2);
      assertThat(result.counts().failed()).isEqualTo(1);
      PersistRequest record = harness.cpu.persisted.get(FakeCpuActivities.sha(1));
      assertThat(record.status()).isEqualTo(ImageStatus.FAILED);
      assertThat(record.reason()).isEqualTo("workflow_error");
      assertThat(record.detail()).contains("terminated");
      assertThat(harness.lookups.calls.get()).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void aSignalNotFromAnImageInFlightIsIgnored() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(2);
      harness.api.describeGate = new CountDownLatch(1);
      String runToken = harness.start("window-4", REQUEST.withWindow(2)).getExecution().getRunId();
      WorkflowStub stub = harness.client().newUntypedWorkflowStub("window-4");
      awaitInFlight(stub, 2);
      String sha = FakeCpuActivities.sha(0);
      String child = DatasetWorkflowImpl.childId("window-4", sha, 0);
      ImageResult accepted = result(sha, 1, new Usage(10, 5, 0.001));

      // Another round's child ID, another run's token, an image not in flight, absurd figures.
      stub.signal(
          DatasetWorkflow.IMAGE_DONE,
          new ImageDone(DatasetWorkflowImpl.childId("window-4", sha, 1), runToken, accepted));
      stub.signal(DatasetWorkflow.IMAGE_DONE, new ImageDone(child, "forged", accepted));
      String other = FakeCpuActivities.sha(7);
      stub.signal(
          DatasetWorkflow.IMAGE_DONE,
          new ImageDone(
              DatasetWorkflowImpl.childId("window-4", other, 0), runToken, result(other, 1, null)));
      stub.signal(
          DatasetWorkflow.IMAGE_DONE,
          new ImageDone(child, runToken, result(sha, -3, new Usage(-1, 0, 0))));
      stub.signal(DatasetWorkflow.IMAGE_DONE, new ImageDone(child, runToken, null));

      Progress progress = stub.query("progress", Progress.class);
      assertThat(progress.done()).isZero();
      assertThat(progress.inFlight()).isEqualTo(2);
      harness.api.describeGate.countDown();
      DatasetResult result = stub.getResult(DatasetResult.class);
      assertThat(result.counts().done()).isEqualTo(2);
      assertThat(result.counts().accepted()).isEqualTo(2);
      assertThat(result.counts().inputTokens()).isEqualTo(2 * 4 * 10);
    }
  }

  @Test
  void aPausedRunStaysPausedAcrossContinueAsNew() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness(SMALL_HISTORY)) {
      harness.cpu.addImages(10);
      harness.api.describeGate = new CountDownLatch(1);
      WorkflowStub stub = harness.startFollowing("window-5", REQUEST.withWindow(2));
      awaitInFlight(stub, 2);
      WorkflowTestHarness.signalCurrentRun(stub, "pause");
      harness.awaitState(stub, DatasetWorkflowImpl.PAUSED);
      // Pausing a paused run changes nothing but grows its history past the limit; the images
      // that then end wake the run, which continues as new while paused.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (harness.client().fetchHistory("window-5").getEvents().size() <= 100) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        WorkflowTestHarness.signalCurrentRun(stub, "pause");
      }
      harness.api.describeGate.countDown();

      Progress paused = stub.query("progress", Progress.class);
      while ((paused.done() < 2 || paused.continuedAsNew() == 0) && System.nanoTime() < deadline) {
        paused = stub.query("progress", Progress.class);
      }
      assertThat(paused.continuedAsNew()).isPositive();
      assertThat(paused.done()).isEqualTo(2);
      assertThat(paused.state()).isEqualTo(DatasetWorkflowImpl.PAUSED);
      assertThat(paused.total()).isEqualTo(2);
      assertThat(harness.cpu.persisted).hasSize(2);
      WorkflowTestHarness.signalCurrentRun(stub, "resume");
      assertThat(stub.getResult(DatasetResult.class).counts().accepted()).isEqualTo(10);
    }
  }

  /**
   * Grows the dataset's history with pause and resume until it has continued as new with {@code
   * images} blocked in flight, and leaves it running; returns the new run's progress.
   */
  private static Progress continueAsNewWithImagesInFlight(
      WorkflowTestHarness harness, WorkflowStub stub, int images) {
    awaitInFlight(stub, images);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Progress progress = stub.query("progress", Progress.class);
    while (progress.continuedAsNew() == 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never continued as new: " + progress);
      }
      WorkflowTestHarness.signalCurrentRun(stub, "pause");
      WorkflowTestHarness.signalCurrentRun(stub, "resume");
      progress = stub.query("progress", Progress.class);
    }
    WorkflowTestHarness.signalCurrentRun(stub, "resume");
    assertThat(progress.inFlight()).isEqualTo(images);
    return progress;
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

  private static ImageResult result(String sha, int qaAccepted, Usage usage) {
    return new ImageResult(
        sha, "file:///x.png", ImageStatus.ACCEPTED, null, null, qaAccepted, usage);
  }

  private static DatasetRequest inputOf(WorkflowExecutionHistory run) {
    var payloads = run.getEvents().get(0).getWorkflowExecutionStartedEventAttributes().getInput();
    return DefaultDataConverter.newDefaultInstance()
        .fromPayloads(0, Optional.of(payloads), DatasetRequest.class, DatasetRequest.class);
  }

  private static long imageDoneSignals(WorkflowExecutionHistory run) {
    List<HistoryEvent> signals = new ArrayList<>();
    for (HistoryEvent event : run.getEvents()) {
      if (event.hasWorkflowExecutionSignaledEventAttributes()
          && event
              .getWorkflowExecutionSignaledEventAttributes()
              .getSignalName()
              .equals(DatasetWorkflow.IMAGE_DONE)) {
        signals.add(event);
      }
    }
    return signals.size();
  }
}
