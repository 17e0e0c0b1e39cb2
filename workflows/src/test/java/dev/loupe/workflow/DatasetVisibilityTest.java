package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetTuning;
import dev.loupe.contract.ImageResult;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.ImageTask;
import dev.loupe.contract.ImageWorkflow;
import dev.loupe.contract.PersistRequest;
import dev.loupe.contract.Progress;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import org.junit.jupiter.api.Test;

/** What people see of a run: progress, the UI's current details, search attributes, errors. */
class DatasetVisibilityTest {
  private static final DatasetRequest REQUEST =
      DatasetRequest.of("file:///images/", "file:///out/");

  @Test
  void childrenCarryTheirDatasetAndAStatusForTheUiToListThemBy() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(2);
      harness.run("vis-1", REQUEST);
      SearchAttributes attributes =
          harness
              .client()
              .newUntypedWorkflowStub(ImageWorkflow.workflowId("vis-1", FakeCpuActivities.sha(0)))
              .describe()
              .getTypedSearchAttributes();
      assertThat(attributes.get(ImageSearchAttributes.DATASET)).isEqualTo("vis-1");
      // "running" until ImageWorkflow marks how it ended (ImageSearchAttributes.markEnded).
      assertThat(attributes.get(ImageSearchAttributes.STATUS)).isIn("running", "accepted");
    }
  }

  @Test
  void currentDetailsSummariseTheRunAsItGoesAndWhenItEnds() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(4);
      harness.cpu.listingGate = new java.util.concurrent.CountDownLatch(1);
      WorkflowStub stub = harness.start("vis-2", REQUEST);
      harness.awaitState(stub, DatasetWorkflowImpl.RUNNING);
      assertThat(DatasetRetryTest.currentDetails(stub)).startsWith("**running · 0 of 0+ done");
      harness.cpu.listingGate.countDown();
      stub.getResult(DatasetResult.class);

      String details = DatasetRetryTest.currentDetails(stub);
      assertThat(details)
          .startsWith("**completed · 4 of 4 done · 4 accepted · 0 rejected · 0 failed")
          .contains("| accepted | 4 |", "| tokens in / out | 160 / 80 |")
          .contains("LoupeDataset=\"vis-2\"");
    }
  }

  @Test
  void progressCountsEveryImageOnceWhenTheLimitStopsTheListing() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(10);
      WorkflowStub stub = harness.start("vis-3", REQUEST.withLimit(3));
      stub.getResult(DatasetResult.class);
      Progress progress = stub.query("progress", Progress.class);
      assertThat(progress.total()).isEqualTo(3);
      assertThat(progress.done()).isEqualTo(3);
      assertThat(progress.listingDone()).isTrue();
      assertThat(progress.output()).isEqualTo("file:///out/");
    }
  }

  @Test
  void cancellingDrainsTheImagesInFlightAndExportsWhatWasDone() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(5);
      harness.api.describeGate = new java.util.concurrent.CountDownLatch(1);
      WorkflowStub stub = harness.start("vis-7", REQUEST.withWindow(2));
      Progress running = stub.query("progress", Progress.class);
      while (running.inFlight() < 2) {
        running = stub.query("progress", Progress.class);
      }
      stub.cancel();
      harness.awaitState(stub, DatasetWorkflowImpl.DRAINING);
      harness.api.describeGate.countDown();

      // The run ends as cancelled, as Temporal records a cancelled workflow, after the export.
      assertThatThrownBy(() -> stub.getResult(DatasetResult.class))
          .isInstanceOf(WorkflowFailedException.class)
          .hasCauseInstanceOf(CanceledFailure.class);
      Progress ended = stub.query("progress", Progress.class);
      assertThat(ended.message()).startsWith("cancelled: drained");
      assertThat(ended.accepted()).isEqualTo(2);
      assertThat(ended.inFlight()).isZero();
      assertThat(harness.cpu.persisted).hasSize(2);
      assertThat(harness.cpu.exports).singleElement();
      assertThat(harness.cpu.exports.get(0).status()).isEqualTo("cancelled");
    }
  }

  @Test
  void anImageWorkflowThatFailsGetsAFailedRecordSoRetryFindsIt() {
    try (WorkflowTestHarness harness =
        new WorkflowTestHarness(DatasetTuning.DEFAULT, FailingImageWorkflow::new)) {
      harness.cpu.addImages(2);
      DatasetResult result = harness.run("vis-4", REQUEST.withFailedWaitHours(0.0));
      assertThat(result.counts().failed()).isEqualTo(2);
      PersistRequest record = harness.cpu.persisted.get(FakeCpuActivities.sha(1));
      assertThat(record.status()).isEqualTo(ImageStatus.FAILED);
      assertThat(record.reason()).isEqualTo("workflow_error");
    }
  }

  @Test
  void unknownConversationStyleFailsAtOnceNamingTheField() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      assertThatThrownBy(() -> harness.run("vis-5", REQUEST.withConversation("threaded")))
          .isInstanceOf(WorkflowFailedException.class)
          .rootCause()
          .hasMessageContaining("conversation must be \"multi_turn\" or \"separate\"");
    }
  }

  @Test
  void unknownLaneFailsAtOnceNamingTheLanes() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      assertThatThrownBy(() -> harness.run("vis-7", REQUEST.withLane("overnight")))
          .isInstanceOf(WorkflowFailedException.class)
          .rootCause()
          .hasMessageContaining("lane must be one of online|batch|flex, got 'overnight'");
    }
  }

  @Test
  void negativeWaitFailsAtOnceNamingTheField() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      assertThatThrownBy(() -> harness.run("vis-6", REQUEST.withFailedWaitHours(-1.0)))
          .isInstanceOf(WorkflowFailedException.class)
          .rootCause()
          .hasMessageContaining("failedWaitHours must be within 0..720");
    }
  }

  /** An image workflow that fails as a workflow, as a terminated or broken one would. */
  static final class FailingImageWorkflow implements ImageWorkflow {
    @Override
    public ImageResult process(ImageTask task) {
      throw ApplicationFailure.newNonRetryableFailure("broken on purpose", "Broken");
    }
  }
}
