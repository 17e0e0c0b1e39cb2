package dev.loupe.activity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contract.ClosedImagesRequest;
import dev.loupe.contract.ClosedImagesResult.Closed;
import dev.loupe.contract.ImageResult;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.ImageTask;
import dev.loupe.contract.ImageWorkflow;
import dev.loupe.contract.SourceItem;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.workflow.Workflow;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WorkflowsActivitiesImplTest {
  private static final String QUEUE = "images";

  private TestWorkflowEnvironment env;
  private WorkflowClient client;

  /** Completes, fails or keeps running, as the image's URI says. */
  public static final class ScriptedImage implements ImageWorkflow {
    @Override
    public ImageResult process(ImageTask task) {
      String uri = task.item().uri();
      if (uri.contains("fail")) {
        throw ApplicationFailure.newNonRetryableFailure("broken", "BUG");
      }
      if (uri.contains("run")) {
        Workflow.await(() -> false);
      }
      return new ImageResult(task.item().sha256(), uri, ImageStatus.ACCEPTED, null, null, 2, null);
    }
  }

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    env.newWorker(QUEUE).registerWorkflowImplementationTypes(ScriptedImage.class);
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void closedImagesAreListedWithHowTheyEndedAndRunningOnesAreLeftOut() throws Exception {
    start("ds/done", "file:///done.png").getResult(ImageResult.class);
    WorkflowStub failed = start("ds/failed", "file:///fail.png");
    try {
      failed.getResult(ImageResult.class);
    } catch (WorkflowFailedException expected) {
      // it failed as a workflow
    }
    start("ds/running", "file:///run.png");
    start("ds/terminated", "file:///run2.png").terminate("by hand");

    List<Closed> closed =
        new WorkflowsActivitiesImpl(client)
            .closedImages(
                new ClosedImagesRequest(
                    List.of("ds/done", "ds/failed", "ds/running", "ds/terminated", "ds/unknown")))
            .closed();

    Map<String, Closed> byId =
        closed.stream().collect(Collectors.toMap(Closed::workflowId, Function.identity()));
    assertThat(byId).containsOnlyKeys("ds/done", "ds/failed", "ds/terminated", "ds/unknown");
    assertThat(byId.get("ds/done").status()).isEqualTo(Closed.COMPLETED);
    assertThat(byId.get("ds/done").result().qaAccepted()).isEqualTo(2);
    assertThat(byId.get("ds/failed").status()).isEqualTo("failed");
    assertThat(byId.get("ds/failed").result()).isNull();
    assertThat(byId.get("ds/terminated").status()).isEqualTo("terminated");
    assertThat(byId.get("ds/unknown").status()).isEqualTo(Closed.NOT_FOUND);
  }

  private WorkflowStub start(String id, String uri) {
    ImageWorkflow image =
        client.newWorkflowStub(
            ImageWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(QUEUE).build());
    WorkflowClient.start(
        image::process,
        new ImageTask("ds", "token", "file:///out/", SourceItem.of(uri, id, 1), null));
    return WorkflowStub.fromTyped(image);
  }
}
