package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.contract.BatchPoll;
import dev.loupe.contract.BatchProgress;
import dev.loupe.contract.BatchRun;
import dev.loupe.contract.BatchSettings;
import dev.loupe.contract.BatchTuning;
import dev.loupe.contract.BatchWorkflow;
import dev.loupe.contract.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BatchWorkflowTest {
  private static final String ENDPOINT = "fake";
  private static final String ID = BatchWorkflow.workflowId("dataset-1", ENDPOINT);

  private TestWorkflowEnvironment env;
  private final FakeBatchActivities batches = new FakeBatchActivities();

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    env.newWorker(TaskQueues.WORKFLOWS)
        .registerWorkflowImplementationFactory(
            BatchWorkflow.class, () -> new BatchWorkflowImpl(new BatchTuning(200, 600, 10)));
    env.newWorker(TaskQueues.api(ENDPOINT)).registerActivitiesImplementations(batches);
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void waitingLinesGoOutInBatchesOfMaxRequestsAndEachBatchIsDeliveredOnce() {
    batches.waiting.set(7);
    WorkflowStub lane = startLane(new BatchSettings(3, 1_000_000, 60, 5));
    env.sleep(Duration.ofSeconds(30));
    lane.signal("close");

    BatchProgress done = lane.getResult(BatchProgress.class);

    assertThat(batches.sealed).containsEntry(0, 3).containsEntry(1, 3).containsEntry(2, 1);
    assertThat(batches.delivered).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(batches.submittedKeys).containsExactly(ID + "/0/0", ID + "/1/0", ID + "/2/0");
    assertThat(done.linesSubmitted()).isEqualTo(7);
    assertThat(done.linesDone()).isEqualTo(7);
    assertThat(done.batchesOpen()).isZero();
    assertThat(done.state()).isEqualTo(BatchWorkflowImpl.COMPLETED);
  }

  @Test
  void fewLinesWaitUntilTheOldestHasWaitedMaxWaitSeconds() {
    batches.waiting.set(2);
    WorkflowStub lane = startLane(new BatchSettings(100, 1_000_000, 60, 5));

    env.sleep(Duration.ofSeconds(40));
    assertThat(batches.sealed).isEmpty();
    env.sleep(Duration.ofSeconds(40));
    assertThat(batches.sealed).containsEntry(0, 2);

    lane.signal("close");
    assertThat(lane.getResult(BatchProgress.class).linesDone()).isEqualTo(2);
  }

  @Test
  void batchRefusedForQuotaIsSubmittedAgainWithTheSameLinesUnderANewRound() {
    batches.waiting.set(4);
    batches.script(0, BatchPoll.State.RUNNING, BatchPoll.State.QUOTA_REFUSED);
    WorkflowStub lane = startLane(new BatchSettings(10, 1_000_000, 0, 5));
    env.sleep(Duration.ofMinutes(3));
    lane.signal("close");

    BatchProgress done = lane.getResult(BatchProgress.class);

    assertThat(batches.submittedKeys).containsExactly(ID + "/0/0", ID + "/0/1");
    assertThat(batches.sealed).containsOnlyKeys(0);
    assertThat(batches.delivered).containsExactly(0);
    assertThat(done.linesDone()).isEqualTo(4);
    // Lines count once per submission: the refused batch's lines went out twice.
    assertThat(done.linesSubmitted()).isEqualTo(4);
  }

  @Test
  void createRefusedForQuotaWaitsAndSubmitsTheSameLinesAgain() {
    batches.waiting.set(3);
    batches.createRefusals.add(BatchPoll.State.QUOTA_REFUSED);
    WorkflowStub lane = startLane(new BatchSettings(10, 1_000_000, 0, 5));
    env.sleep(Duration.ofMinutes(3));
    lane.signal("close");

    BatchProgress done = lane.getResult(BatchProgress.class);

    assertThat(batches.submittedKeys).containsExactly(ID + "/0/0", ID + "/0/1");
    assertThat(batches.delivered).containsExactly(0);
    assertThat(batches.failed).isEmpty();
    assertThat(done.linesDone()).isEqualTo(3);
  }

  @Test
  void createRejectedAsInvalidFailsItsLinesWithTheProvidersWordsAndTheLaneGoesOn() {
    batches.waiting.set(2);
    batches.createRefusals.add(BatchPoll.State.REJECTED);
    WorkflowStub lane = startLane(new BatchSettings(10, 1_000_000, 0, 5));
    env.sleep(Duration.ofSeconds(30));
    batches.waiting.set(1);
    env.sleep(Duration.ofSeconds(30));
    lane.signal("close");

    BatchProgress done = lane.getResult(BatchProgress.class);

    assertThat(batches.failed).hasSize(1);
    assertThat(batches.failed.get(0).batch().seq()).isZero();
    assertThat(batches.failed.get(0).message()).contains("fake create refused as REJECTED");
    assertThat(batches.delivered).containsExactly(1);
    assertThat(done.linesFailed()).isEqualTo(2);
    assertThat(done.linesDone()).isEqualTo(1);
    assertThat(done.batchesOpen()).isZero();
  }

  @Test
  void waitingCallsAreKeptAliveEveryTenMinutesWithTheOpenBatches() {
    batches.waiting.set(2);
    batches.script(0, BatchPoll.State.RUNNING, BatchPoll.State.RUNNING, BatchPoll.State.RUNNING);
    WorkflowStub lane = startLane(new BatchSettings(10, 1_000_000, 0, 300));
    env.sleep(Duration.ofMinutes(25));
    lane.signal("close");
    lane.getResult(BatchProgress.class);

    // At the first tick (nothing open yet), then every ten minutes while batch 0 was open.
    assertThat(batches.keptAlive).hasSizeBetween(2, 4);
    assertThat(batches.keptAlive.get(1)).containsExactly(0);
  }

  @Test
  void rejectedBatchFailsItsLinesWithTheProvidersWords() {
    batches.waiting.set(2);
    batches.script(0, BatchPoll.State.REJECTED);
    WorkflowStub lane = startLane(new BatchSettings(10, 1_000_000, 0, 5));
    env.sleep(Duration.ofSeconds(30));
    lane.signal("close");

    BatchProgress done = lane.getResult(BatchProgress.class);

    assertThat(batches.delivered).isEmpty();
    assertThat(batches.failed).hasSize(1);
    assertThat(batches.failed.get(0).message()).contains("fake REJECTED");
    assertThat(done.linesFailed()).isEqualTo(2);
  }

  @Test
  void cancelledLaneCancelsItsOpenBatchesDeliversThemAndFailsLinesUntilClosed() {
    batches.waiting.set(3);
    batches.script(0, running(1000));
    batches.endWhenCancelled = true;
    WorkflowStub lane = startLane(new BatchSettings(10, 1_000_000, 0, 5));
    env.sleep(Duration.ofSeconds(30));
    assertThat(batches.sealed).containsEntry(0, 3);

    lane.cancel();
    env.sleep(Duration.ofSeconds(30));
    batches.waiting.set(2); // an image's next stage still sends a line
    env.sleep(Duration.ofSeconds(30));
    lane.signal("close");
    // A workflow that was asked to cancel ends as cancelled, however cleanly it wound down.
    assertThatThrownBy(() -> lane.getResult(BatchProgress.class))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(CanceledFailure.class);
    BatchProgress done = lane.query(BatchWorkflow.BATCHES, BatchProgress.class);

    assertThat(done.state()).isEqualTo(BatchWorkflowImpl.COMPLETED);
    assertThat(batches.cancelled).containsExactly("batch-" + ID + "/0/0");
    assertThat(batches.delivered).containsExactly(0);
    assertThat(batches.failed)
        .allSatisfy(failure -> assertThat(failure.batch().seq()).isEqualTo(-1));
    assertThat(done.linesFailed()).isEqualTo(2);
    assertThat(batches.waiting.get()).isZero();
  }

  @Test
  void stateSurvivesContinueAsNew() {
    batches.waiting.set(1);
    batches.script(0, running(100));
    WorkflowStub lane = startLane(new BatchSettings(10, 1_000_000, 0, 1));
    env.sleep(Duration.ofMinutes(5));
    lane.signal("close");

    BatchProgress done = lane.getResult(BatchProgress.class);

    assertThat(done.linesDone()).isEqualTo(1);
    assertThat(batches.submittedKeys).containsExactly(ID + "/0/0");
    assertThat(batches.delivered).containsExactly(0);
  }

  private static BatchPoll.State[] running(int polls) {
    BatchPoll.State[] states = new BatchPoll.State[polls];
    java.util.Arrays.fill(states, BatchPoll.State.RUNNING);
    return states;
  }

  private WorkflowStub startLane(BatchSettings settings) {
    WorkflowClient client = env.getWorkflowClient();
    BatchWorkflow workflow =
        client.newWorkflowStub(
            BatchWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(ID)
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .build());
    WorkflowClient.start(
        workflow::run, new BatchRun("dataset-1", ENDPOINT, "file:///spool/", settings, null));
    return WorkflowStub.fromTyped(workflow);
  }
}
