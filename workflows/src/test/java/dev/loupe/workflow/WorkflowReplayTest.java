package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Determinism across builds: every recorded history (of every workflow type, recorded by this or an
 * earlier build; see docs/versioning.md) must replay against the current code, with the
 * implementations as workers register them (default knobs: a run's own are in its history). A
 * change that breaks one needs a {@code Workflow.getVersion} patch, not a new recording.
 */
class WorkflowReplayTest {

  static List<String> recordedFiles() {
    return RecordedHistories.files();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("recordedFiles")
  void aRecordedHistoryReplaysWithTheCurrentCode(String file) throws Exception {
    WorkflowExecutionHistory history = RecordedHistories.read(file);
    WorkflowReplayer.replayWorkflowExecution(
        history, RecordedHistories.IMPLEMENTATIONS.get(RecordedHistories.typeOf(file)));
  }

  @Test
  void everyWorkflowTypeHasRecordedHistories() {
    assertThat(recordedFiles().stream().map(RecordedHistories::typeOf).distinct())
        .containsExactlyInAnyOrderElementsOf(RecordedHistories.IMPLEMENTATIONS.keySet());
  }

  @Test
  void everyScenarioRecordedNowReplaysAndIsInTheRepository() throws Exception {
    List<HistoryRecorder.Recorded> fresh = HistoryRecorder.recordAll();
    for (HistoryRecorder.Recorded recorded : fresh) {
      WorkflowReplayer.replayWorkflowExecution(
          recorded.history(), RecordedHistories.IMPLEMENTATIONS.get(recorded.type()));
    }
    assertThat(recordedFiles())
        .as("recorded files; scripts/record-histories writes the missing ones")
        .containsAll(fresh.stream().map(HistoryRecorder.Recorded::file).toList());
  }
}
