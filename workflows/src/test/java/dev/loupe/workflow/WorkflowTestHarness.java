package dev.loupe.workflow;

import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;

/** Temporal's in-memory test server with Loupe's workflows and the fake pools registered. */
final class WorkflowTestHarness implements AutoCloseable {
  static final ApiRetry RETRY =
      new ApiRetry(4, java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(5));
  final TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
  final FakeCpuActivities cpu = new FakeCpuActivities();
  final FakeApiActivities api = new FakeApiActivities("fake");
  final FakeApiActivities down = new FakeApiActivities("down");

  WorkflowTestHarness(DatasetTuning tuning) {
    Worker workflows = env.newWorker(TaskQueues.WORKFLOWS);
    workflows.registerWorkflowImplementationFactory(
        DatasetWorkflow.class, () -> new DatasetWorkflowImpl(tuning));
    workflows.registerWorkflowImplementationFactory(
        dev.loupe.contract.ImageWorkflow.class, () -> new ImageWorkflowImpl(RETRY));
    env.newWorker(TaskQueues.CPU).registerActivitiesImplementations(cpu);
    env.newWorker(TaskQueues.api("fake")).registerActivitiesImplementations(api);
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

  @Override
  public void close() {
    env.close();
  }
}
