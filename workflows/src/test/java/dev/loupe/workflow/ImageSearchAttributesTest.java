package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contract.ImageStatus;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ImageSearchAttributesTest {
  private static final String QUEUE = "marking";

  /** A workflow that ends as its argument says, marking it the way ImageWorkflow does. */
  @WorkflowInterface
  public interface Marking {
    @WorkflowMethod
    void end(ImageStatus status);
  }

  public static final class MarkingImpl implements Marking {
    @Override
    public void end(ImageStatus status) {
      ImageSearchAttributes.markEnded(status);
    }
  }

  private TestWorkflowEnvironment env;

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    env.registerSearchAttribute(
        ImageSearchAttributes.DATASET.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    env.registerSearchAttribute(
        ImageSearchAttributes.STATUS.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(MarkingImpl.class);
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void markEndedReplacesRunningWithTheOutcome() {
    SearchAttributes ended = run("mark-1", ImageSearchAttributes.atStart("ds"), ImageStatus.FAILED);
    assertThat(ended.get(ImageSearchAttributes.DATASET)).isEqualTo("ds");
    assertThat(ended.get(ImageSearchAttributes.STATUS)).isEqualTo("failed");
  }

  @Test
  void markEndedLeavesAWorkflowStartedWithoutADatasetAlone() {
    SearchAttributes ended = run("mark-2", SearchAttributes.EMPTY, ImageStatus.ACCEPTED);
    assertThat(ended.containsKey(ImageSearchAttributes.STATUS)).isFalse();
  }

  private SearchAttributes run(String id, SearchAttributes atStart, ImageStatus status) {
    WorkflowClient client = env.getWorkflowClient();
    Marking workflow =
        client.newWorkflowStub(
            Marking.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(QUEUE)
                .setTypedSearchAttributes(atStart)
                .build());
    workflow.end(status);
    return client.newUntypedWorkflowStub(id).describe().getTypedSearchAttributes();
  }
}
