package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.Progress;
import dev.loupe.contract.RetryFailedResult;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Determinism of {@link DatasetWorkflowImpl}: a history recorded with an earlier build (a run with
 * a failure, the wait, a retryFailed round and the second export) must replay with the current
 * code; a change that breaks it needs {@code Workflow.getVersion}. {@link #main} records it again.
 */
class DatasetReplayTest {
  static final String RECORDED = "histories/dataset-retry-round.json";
  static final String WORKFLOW_ID = "replay-1";

  @Test
  void aRecordedRunWithARetryRoundReplaysWithTheCurrentCode() throws Exception {
    String json;
    try (var in = DatasetReplayTest.class.getClassLoader().getResourceAsStream(RECORDED)) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // Child IDs derive from the dataset's workflow ID, so the replay must know it.
    WorkflowReplayer.replayWorkflowExecution(
        WorkflowExecutionHistory.fromJson(json, WORKFLOW_ID), DatasetWorkflowImpl.class);
  }

  @Test
  void aFreshRunWithARetryRoundReplays() throws Exception {
    WorkflowExecutionHistory history = record();
    assertThat(history.getEvents()).isNotEmpty();
    WorkflowReplayer.replayWorkflowExecution(history, DatasetWorkflowImpl.class);
  }

  /** Runs the scenario on the in-memory server and returns the dataset's history. */
  static WorkflowExecutionHistory record() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(3);
      harness.cpu.failedWhenProbed.add("file:///images/1.png");
      WorkflowStub stub =
          harness.start(WORKFLOW_ID, DatasetRequest.of("file:///images/", "file:///out/"));
      harness.awaitState(stub, Progress.WAITING);
      harness.cpu.failedWhenProbed.clear();
      stub.update(DatasetWorkflow.RETRY_FAILED, RetryFailedResult.class);
      assertThat(stub.getResult(DatasetResult.class).counts().accepted()).isEqualTo(3);
      return harness.client().fetchHistory(WORKFLOW_ID);
    }
  }

  /**
   * Records the history again into the resources directory given (from the repository root: {@code
   * workflows/src/test/resources}).
   */
  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]).resolve(RECORDED);
    Files.createDirectories(file.getParent());
    Files.writeString(file, record().toJson(true), StandardCharsets.UTF_8);
    System.out.println("recorded " + file);
  }
}
