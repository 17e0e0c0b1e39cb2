package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.contract.DatasetFairness;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.Progress;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Datasets share the pools by weight: the dataset's ID is the fairness key of every task it causes
 * and the request's weight its fairness weight; progress shows both; a weight out of range fails
 * the start naming the field.
 */
class DatasetFairnessTest {
  private static final DatasetRequest REQUEST =
      DatasetRequest.of("file:///images/", "file:///out/");

  @Test
  void imageWorkflowsCarryTheDatasetAsFairnessKeyAndItsWeight() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(3);
      harness.run("books-2026", REQUEST.withWeight(2.5));

      List<HistoryEvent> children =
          harness.client().fetchHistory("books-2026").getEvents().stream()
              .filter(HistoryEvent::hasStartChildWorkflowExecutionInitiatedEventAttributes)
              .toList();
      assertThat(children).hasSize(3);
      assertThat(children)
          .allSatisfy(
              event -> {
                var priority =
                    event.getStartChildWorkflowExecutionInitiatedEventAttributes().getPriority();
                assertThat(priority.getFairnessKey()).isEqualTo("books-2026");
                assertThat(priority.getFairnessWeight()).isEqualTo(2.5f);
              });
    }
  }

  @Test
  void progressShowsTheDatasetsShareOfThePools() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(2);
      harness.cpu.failedWhenProbed.add("file:///images/1.png");
      WorkflowStub stub = harness.start("small-one", REQUEST);
      // The run waits for a decision on its failed image: a state to read progress in.
      Progress progress = harness.awaitState(stub, Progress.WAITING);

      assertThat(progress.weight()).isEqualTo(1.0);
      assertThat(progress.fairnessKey()).isEqualTo("small-one");
      assertThat(DatasetDetails.markdown(progress, "small-one", List.of()))
          .contains("| share of the pools | weight 1 (fairness key `small-one`) |");
      stub.update(DatasetWorkflow.FINISH, Progress.class);
    }
  }

  @Test
  void aWeightOutOfRangeFailsTheStartNamingTheField() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      assertThatThrownBy(() -> harness.run("heavy", REQUEST.withWeight(0.0)))
          .isInstanceOf(WorkflowFailedException.class)
          .rootCause()
          .hasMessageContaining("weight must be within 0.001..1000, got 0.0");
    }
  }

  @Test
  void aLongDatasetIdIsCutToTheServersSixtyFourBytesAndStaysDistinct() {
    String prefix = "catalogue/2026/collections/".repeat(4);
    String a = DatasetFairness.key(prefix + "part-a");
    String b = DatasetFairness.key(prefix + "part-b");

    assertThat(a.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(64);
    assertThat(a).startsWith(prefix.substring(0, 40)).isNotEqualTo(b);
    assertThat(DatasetFairness.key("short")).isEqualTo("short");
    // Multi-byte characters are never split.
    String han = DatasetFairness.key("数据集".repeat(30));
    assertThat(han.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(64);
    assertThat(han).startsWith("数据集数据集");
  }
}
