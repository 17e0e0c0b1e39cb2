package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetTuning;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.Progress;
import dev.loupe.contract.RetryFailedResult;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.CanceledFailure;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Failed images: the wait after the export, {@code retryFailed} rounds, {@code finish}. */
class DatasetRetryTest {
  private static final DatasetRequest REQUEST =
      DatasetRequest.of("file:///images/", "file:///out/");

  @Test
  void failedImagesWaitForRetryFailedAndARetryRoundAcceptsThem() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(5);
      harness.cpu.failedWhenProbed.add("file:///images/1.png");
      harness.cpu.failedWhenProbed.add("file:///images/3.png");
      WorkflowStub stub = harness.start("retry-1", REQUEST.withWindow(2));

      Progress waiting = harness.awaitState(stub, Progress.WAITING);
      assertThat(waiting.done()).isEqualTo(5);
      assertThat(waiting.accepted()).isEqualTo(3);
      assertThat(waiting.failed()).isEqualTo(2);
      assertThat(waiting.inFlight()).isZero();
      assertThat(waiting.waitingUntil()).isNotNull();
      assertThat(harness.cpu.exports).hasSize(1);
      String details = currentDetails(stub);
      assertThat(details)
          .contains("2 images failed", "failed.jsonl", "retryFailed", "1.png", "storage is down");

      harness.cpu.failedWhenProbed.clear();
      RetryFailedResult started =
          stub.update(DatasetWorkflow.RETRY_FAILED, RetryFailedResult.class);
      assertThat(started).isEqualTo(new RetryFailedResult(1, 2));
      DatasetResult result = stub.getResult(DatasetResult.class);

      assertThat(result.counts().accepted()).isEqualTo(5);
      assertThat(result.counts().failed()).isZero();
      assertThat(result.message()).isEmpty();
      assertThat(harness.cpu.exports).hasSize(2);
      assertThat(harness.cpu.persisted.values())
          .allSatisfy(record -> assertThat(record.status()).isEqualTo(ImageStatus.ACCEPTED));
      String retriedChild = DatasetWorkflowImpl.childId("retry-1", FakeCpuActivities.sha(1), 1);
      assertThat(retriedChild).endsWith("/retry-1");
      assertThat(harness.client().newUntypedWorkflowStub(retriedChild).describe().getStatus())
          .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
      Progress done = stub.query("progress", Progress.class);
      assertThat(done.state()).isEqualTo(Progress.COMPLETED);
      assertThat(done.retryRound()).isEqualTo(1);
      assertThat(done.done()).isEqualTo(5);
    }
  }

  @Test
  void imagesThatFailAgainWaitForAnotherRound() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(3);
      harness.cpu.failedWhenProbed.add("file:///images/0.png");
      WorkflowStub stub = harness.start("retry-2", REQUEST);
      harness.awaitState(stub, Progress.WAITING);

      stub.update(DatasetWorkflow.RETRY_FAILED, RetryFailedResult.class);
      Progress again = harness.awaitState(stub, Progress.WAITING);
      assertThat(again.retryRound()).isEqualTo(1);
      assertThat(again.failed()).isEqualTo(1);
      assertThat(again.accepted()).isEqualTo(2);

      harness.cpu.failedWhenProbed.clear();
      assertThat(stub.update(DatasetWorkflow.RETRY_FAILED, RetryFailedResult.class).round())
          .isEqualTo(2);
      assertThat(stub.getResult(DatasetResult.class).counts().accepted()).isEqualTo(3);
      assertThat(harness.cpu.exports).hasSize(3);
    }
  }

  @Test
  void whileImagesAreRunningRetryFailedIsRejectedWithTheReason() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(2);
      harness.cpu.listingGate = new CountDownLatch(1);
      WorkflowStub stub = harness.start("retry-3", REQUEST);
      harness.awaitState(stub, DatasetWorkflowImpl.RUNNING);
      assertThatThrownBy(() -> stub.update(DatasetWorkflow.RETRY_FAILED, RetryFailedResult.class))
          .isInstanceOf(WorkflowUpdateException.class)
          .rootCause()
          .hasMessageContaining("accepted only while the run waits")
          .hasMessageContaining("the run is running");
      harness.cpu.listingGate.countDown();
      assertThat(stub.getResult(DatasetResult.class).counts().accepted()).isEqualTo(2);
    }
  }

  @Test
  void finishEndsTheWaitAndKeepsTheFailures() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(2);
      harness.cpu.failedWhenProbed.add("file:///images/1.png");
      WorkflowStub stub = harness.start("retry-4", REQUEST);
      harness.awaitState(stub, Progress.WAITING);

      Progress finished = stub.update(DatasetWorkflow.FINISH, Progress.class);
      DatasetResult result = stub.getResult(DatasetResult.class);

      assertThat(finished.failed()).isEqualTo(1);
      assertThat(result.counts().failed()).isEqualTo(1);
      assertThat(result.message()).contains("finished on request", "1 images failed");
      assertThat(harness.cpu.exports).hasSize(1);
    }
  }

  @Test
  void withoutADecisionTheRunEndsWhenTheWaitLimitPasses() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(2);
      harness.cpu.failedWhenProbed.add("file:///images/0.png");
      DatasetResult result = harness.run("retry-5", REQUEST.withFailedWaitHours(2.0));
      assertThat(result.counts().failed()).isEqualTo(1);
      assertThat(result.message()).contains("no retryFailed within the wait limit");
    }
  }

  @Test
  void zeroWaitHoursCompletesAtOnceWithTheFailures() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(2);
      harness.cpu.failedWhenProbed.add("file:///images/0.png");
      DatasetResult result = harness.run("retry-6", REQUEST.withFailedWaitHours(0.0));
      assertThat(result.counts().failed()).isEqualTo(1);
      assertThat(result.message()).isEmpty();
      // No wait: the run never started a timer.
      assertThat(harness.client().fetchHistory("retry-6").getEvents())
          .noneMatch(event -> event.getEventType() == EventType.EVENT_TYPE_TIMER_STARTED);
    }
  }

  @Test
  void aRetryRoundContinuesAsNewAndKeepsItsPlace() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness(new DatasetTuning(100, 5))) {
      harness.cpu.addImages(40);
      for (int i = 0; i < 40; i += 2) {
        harness.cpu.failedWhenProbed.add("file:///images/" + i + ".png");
      }
      WorkflowStub stub = harness.start("retry-7", REQUEST.withWindow(3));
      Progress waiting = harness.awaitState(stub, Progress.WAITING);
      assertThat(waiting.failed()).isEqualTo(20);
      int continuedBefore = waiting.continuedAsNew();

      harness.cpu.failedWhenProbed.clear();
      stub.update(DatasetWorkflow.RETRY_FAILED, RetryFailedResult.class);
      DatasetResult result = stub.getResult(DatasetResult.class);

      assertThat(result.counts().accepted()).isEqualTo(40);
      Progress done =
          harness.client().newUntypedWorkflowStub("retry-7").query("progress", Progress.class);
      assertThat(done.continuedAsNew()).isGreaterThan(continuedBefore);
      assertThat(done.retryRound()).isEqualTo(1);
      // Each failed image was listed once: pages of 5 through a list of 20.
      assertThat(harness.cpu.failedListings).hasSize(4);
    }
  }

  @Test
  void cancellingAWaitingRunCompletesItWithoutAnotherExport() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(1);
      harness.cpu.failedWhenProbed.add("file:///images/0.png");
      WorkflowStub stub = harness.start("retry-8", REQUEST);
      harness.awaitState(stub, Progress.WAITING);
      stub.cancel();
      assertThatThrownBy(() -> stub.getResult(DatasetResult.class))
          .isInstanceOf(WorkflowFailedException.class)
          .hasCauseInstanceOf(CanceledFailure.class);
      assertThat(stub.query("progress", Progress.class).message())
          .contains("cancelled while waiting", "1 images failed");
      assertThat(harness.cpu.exports).hasSize(1);
    }
  }

  static String currentDetails(WorkflowStub stub) {
    return stub.query("__temporal_workflow_metadata", WorkflowMetadata.class).getCurrentDetails();
  }
}
