package dev.loupe.it;

import com.google.inject.Guice;
import com.google.inject.Stage;
import dev.loupe.activity.ImageStepActivitiesImpl;
import dev.loupe.activity.WorkflowsActivitiesImpl;
import dev.loupe.config.ConfigLoader;
import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.BatchWorkflow;
import dev.loupe.contract.CpuActivities;
import dev.loupe.contract.DatasetTuning;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.ImageWorkflow;
import dev.loupe.contract.TaskQueues;
import dev.loupe.embedded.RemoteTemporal;
import dev.loupe.worker.LoupeModule;
import dev.loupe.worker.TemporalModule;
import dev.loupe.workflow.ApiRetry;
import dev.loupe.workflow.BatchWorkflowImpl;
import dev.loupe.workflow.DatasetWorkflowImpl;
import dev.loupe.workflow.ShardExportWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A workflow worker process of "build B": the workflows of this build, with {@link
 * GrammarCheckedImageWorkflow} as its image workflow, on {@link TaskQueues#WORKFLOWS} of the server
 * at {@code TEMPORAL_ADDRESS}, through the production connection (same data converter). Says {@code
 * worker polling} on stderr once it polls, then runs until killed.
 */
public final class BuildBWorkflowWorker {
  /** The retry policy of the bench configuration's endpoint (attempts 8, back-off 1 s to 10 s). */
  static final ApiRetry RETRY = new ApiRetry(8, Duration.ofSeconds(1), Duration.ofSeconds(10));

  private BuildBWorkflowWorker() {}

  /** Arguments: the cluster's configuration file and its configuration directory. */
  public static void main(String[] args) throws InterruptedException, IOException {
    RemoteTemporal temporal =
        new RemoteTemporal(System.getenv("TEMPORAL_ADDRESS"), "default", null);
    // The image's probe and persist are local activities of the workflows pool: the same CPU
    // activities a `loupe worker` builds from the cluster's configuration.
    LoupeConfig config = ConfigLoader.load(Path.of(args[0]), System.getenv());
    CpuActivities cpu =
        Guice.createInjector(
                Stage.DEVELOPMENT,
                new LoupeModule(config, Path.of(args[1]), System.getenv()),
                new TemporalModule(temporal))
            .getInstance(CpuActivities.class);
    WorkflowClient client = temporal.workerFactory().getWorkflowClient();
    Worker worker = temporal.workerFactory().newWorker(TaskQueues.WORKFLOWS);
    worker.registerWorkflowImplementationFactory(
        DatasetWorkflow.class, () -> new DatasetWorkflowImpl(DatasetTuning.DEFAULT));
    worker.registerWorkflowImplementationFactory(
        ImageWorkflow.class, () -> new GrammarCheckedImageWorkflow(RETRY));
    worker.registerWorkflowImplementationTypes(ShardExportWorkflowImpl.class);
    worker.registerWorkflowImplementationFactory(BatchWorkflow.class, BatchWorkflowImpl::new);
    worker.registerActivitiesImplementations(
        new WorkflowsActivitiesImpl(client), new ImageStepActivitiesImpl(cpu, client));
    temporal.workerFactory().start();
    System.err.println("build B worker polling " + TaskQueues.WORKFLOWS);
    Thread.currentThread().join();
  }
}
