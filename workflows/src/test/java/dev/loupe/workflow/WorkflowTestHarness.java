package dev.loupe.workflow;

import dev.loupe.contract.BatchTuning;
import dev.loupe.contract.BatchWorkflow;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetTuning;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.ImageWorkflow;
import dev.loupe.contract.Progress;
import dev.loupe.contract.ShardExportWorkflow;
import dev.loupe.contract.ShardTuning;
import dev.loupe.contract.TaskQueues;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.function.Supplier;

/** Temporal's in-memory test server with Loupe's workflows and the fake pools registered. */
final class WorkflowTestHarness implements AutoCloseable {
  static final ApiRetry RETRY =
      new ApiRetry(4, java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(5));
  final TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
  final FakeCpuActivities cpu = new FakeCpuActivities();
  final FakeApiActivities api = new FakeApiActivities("fake");
  final FakeApiActivities down = new FakeApiActivities("down");
  final FakeBatchActivities batches = new FakeBatchActivities();
  final ServerWorkflowsActivities lookups = new ServerWorkflowsActivities(env.getWorkflowClient());
  final LocalImageSteps steps = new LocalImageSteps(cpu, env.getWorkflowClient());

  WorkflowTestHarness(DatasetTuning tuning) {
    this(tuning, () -> new ImageWorkflowImpl(RETRY));
  }

  /** With another ImageWorkflow implementation, e.g. one that fails as a workflow. */
  WorkflowTestHarness(DatasetTuning tuning, Supplier<ImageWorkflow> images) {
    // The in-memory server, like a real namespace, must know the search attributes children get.
    env.registerSearchAttribute(
        ImageSearchAttributes.DATASET.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    env.registerSearchAttribute(
        ImageSearchAttributes.STATUS.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    Worker workflows = env.newWorker(TaskQueues.WORKFLOWS);
    workflows.registerWorkflowImplementationFactory(
        DatasetWorkflow.class, () -> new DatasetWorkflowImpl(tuning));
    workflows.registerWorkflowImplementationFactory(ImageWorkflow.class, images::get);
    workflows.registerWorkflowImplementationFactory(
        ShardExportWorkflow.class, () -> new ShardExportWorkflowImpl(new ShardTuning(4, 10)));
    workflows.registerWorkflowImplementationFactory(
        BatchWorkflow.class, () -> new BatchWorkflowImpl(new BatchTuning(200, 600, 10)));
    workflows.registerActivitiesImplementations(lookups, steps);
    env.newWorker(TaskQueues.CPU).registerActivitiesImplementations(cpu);
    env.newWorker(TaskQueues.api("fake")).registerActivitiesImplementations(api, batches);
    down.describeFailure = dev.loupe.contract.FailureType.TRANSPORT;
    env.newWorker(TaskQueues.api("down")).registerActivitiesImplementations(down);
  }

  WorkflowTestHarness() {
    this(DatasetTuning.DEFAULT);
  }

  WorkflowClient client() {
    return env.getWorkflowClient();
  }

  DatasetWorkflow dataset(String id) {
    return client()
        .newWorkflowStub(
            DatasetWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .build());
  }

  DatasetResult run(String id, DatasetRequest request) {
    env.start();
    return dataset(id).run(request);
  }

  /** Starts a dataset without waiting for it; returns its untyped stub. */
  WorkflowStub start(String id, DatasetRequest request) {
    env.start();
    DatasetWorkflow workflow = dataset(id);
    WorkflowClient.start(workflow::run, request);
    return WorkflowStub.fromTyped(workflow);
  }

  /**
   * Starts a dataset without waiting for it; returns a stub of its current run, which follows it
   * across continue-as-new (a stub of the first run would signal a closed run).
   */
  WorkflowStub startFollowing(String id, DatasetRequest request) {
    start(id, request);
    return client().newUntypedWorkflowStub(id);
  }

  /**
   * Signals the dataset's current run. The in-memory test server answers "Completed workflow" to a
   * signal that lands while one run continues as new and the next is not yet registered (a real
   * server hands it to the next run), so such a signal is sent again.
   */
  static void signalCurrentRun(WorkflowStub stub, String signal, Object... args) {
    for (int attempt = 1; ; attempt++) {
      try {
        stub.signal(signal, args);
        return;
      } catch (WorkflowNotFoundException between) {
        if (attempt == 50) {
          throw between;
        }
        Thread.onSpinWait();
      }
    }
  }

  /** Queries progress until it reaches {@code state}; fails after 30 s. */
  Progress awaitState(WorkflowStub stub, String state) {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    Progress progress = stub.query("progress", Progress.class);
    while (!state.equals(progress.state())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never reached state " + state + ": " + progress);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      progress = stub.query("progress", Progress.class);
    }
    return progress;
  }

  @Override
  public void close() {
    env.close();
  }
}
