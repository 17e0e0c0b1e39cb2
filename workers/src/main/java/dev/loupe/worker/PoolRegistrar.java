package dev.loupe.worker;

import dev.loupe.activity.ImageStepActivitiesImpl;
import dev.loupe.activity.WorkflowsActivitiesImpl;
import dev.loupe.config.EndpointSettings;
import dev.loupe.config.LoupeConfig;
import dev.loupe.config.WorkerSettings.PollerSettings;
import dev.loupe.contract.ApiActivities;
import dev.loupe.contract.BatchActivities;
import dev.loupe.contract.BatchWorkflow;
import dev.loupe.contract.CaptionerActivities;
import dev.loupe.contract.CpuActivities;
import dev.loupe.contract.DatasetTuning;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.ImageWorkflow;
import dev.loupe.contract.TaskQueues;
import dev.loupe.workflow.ApiRetry;
import dev.loupe.workflow.BatchWorkflowImpl;
import dev.loupe.workflow.DatasetWorkflowImpl;
import dev.loupe.workflow.ImageWorkflowImpl;
import dev.loupe.workflow.ShardExportWorkflowImpl;
import dev.loupe.workflow.TokenBudgetWorkflowImpl;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import io.temporal.worker.tuning.PollerBehavior;
import io.temporal.worker.tuning.PollerBehaviorAutoscaling;
import io.temporal.worker.tuning.PollerBehaviorSimpleMaximum;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** Registers each pool's workflows and activities on its task queues. */
public final class PoolRegistrar {
  /** Well inside the CPU activities' 30 s heartbeat timeout. */
  private static final Duration CPU_HEARTBEAT_EVERY = Duration.ofSeconds(5);

  private final LoupeConfig config;
  private final Supplier<CpuActivities> cpu;
  private final Supplier<ApiActivities> api;
  private final Supplier<BatchActivities> batch;
  private final Supplier<CaptionerActivities> captioner;
  private final DatasetTuning tuning;
  private final ApiRetry retry;

  public PoolRegistrar(
      LoupeConfig config,
      Supplier<CpuActivities> cpu,
      Supplier<ApiActivities> api,
      Supplier<BatchActivities> batch,
      Supplier<CaptionerActivities> captioner,
      DatasetTuning tuning,
      ApiRetry retry) {
    this.config = config;
    this.cpu = cpu;
    this.api = api;
    this.batch = batch;
    this.captioner = captioner;
    this.tuning = tuning;
    this.retry = retry;
  }

  /** Creates the pools' workers on the factory; returns the task queues polled. */
  public List<String> register(WorkerFactory factory, Set<Pool> pools) {
    List<String> queues = new ArrayList<>();
    if (pools.contains(Pool.WORKFLOWS)) {
      Worker worker =
          factory.newWorker(
              TaskQueues.WORKFLOWS,
              WorkerOptions.newBuilder()
                  .setMaxConcurrentWorkflowTaskExecutionSize(config.worker().workflowConcurrency())
                  .setWorkflowTaskPollersBehavior(pollers(Pool.WORKFLOWS))
                  .setMaxConcurrentLocalActivityExecutionSize(config.cpuConcurrency())
                  .build());
      worker.registerWorkflowImplementationFactory(
          DatasetWorkflow.class, () -> new DatasetWorkflowImpl(tuning));
      worker.registerWorkflowImplementationFactory(
          ImageWorkflow.class, () -> new ImageWorkflowImpl(retry));
      worker.registerWorkflowImplementationTypes(ShardExportWorkflowImpl.class);
      worker.registerWorkflowImplementationFactory(BatchWorkflow.class, BatchWorkflowImpl::new);
      worker.registerWorkflowImplementationTypes(TokenBudgetWorkflowImpl.class);
      // Looks up image workflows for the datasets (a carried child that ended without reporting);
      // runs images' probe and persist as local activities, as many at once as a CPU worker would.
      worker.registerActivitiesImplementations(
          new WorkflowsActivitiesImpl(factory.getWorkflowClient()),
          new ImageStepActivitiesImpl(cpu.get(), factory.getWorkflowClient()));
      queues.add(TaskQueues.WORKFLOWS);
    }
    if (pools.contains(Pool.CPU)) {
      Worker worker =
          factory.newWorker(
              TaskQueues.CPU,
              WorkerOptions.newBuilder()
                  .setMaxConcurrentActivityExecutionSize(config.cpuConcurrency())
                  .setActivityTaskPollersBehavior(pollers(Pool.CPU))
                  .build());
      worker.registerActivitiesImplementations(
          LivenessHeartbeats.around(CpuActivities.class, cpu.get(), CPU_HEARTBEAT_EVERY));
      queues.add(TaskQueues.CPU);
    }
    if (pools.contains(Pool.API)) {
      ApiActivities activities = api.get();
      BatchActivities batches = batch.get();
      for (Map.Entry<String, EndpointSettings> endpoint : config.endpoints().entrySet()) {
        String queue = TaskQueues.api(endpoint.getKey());
        Worker worker =
            factory.newWorker(queue, apiWorkerOptions(endpoint.getValue(), pollers(Pool.API)));
        worker.registerActivitiesImplementations(activities, batches);
        queues.add(queue);
      }
    }
    if (pools.contains(Pool.CAPTIONER)) {
      // As many captions as the GPU batches, plus those queued for its next free slot (the
      // captioner's EngineSlots lets batchSlots of them at the server at once); they keep
      // heartbeating while a SIGTERM drains them, and are handed back only when the drain time
      // runs out.
      Worker worker =
          factory.newWorker(
              TaskQueues.CAPTIONER,
              WorkerOptions.newBuilder()
                  .setMaxConcurrentActivityExecutionSize(
                      config.captionerOrDefault().activitySlots())
                  .setActivityTaskPollersBehavior(pollers(Pool.CAPTIONER))
                  .setAllowActivityHeartbeatDuringShutdown(true)
                  .build());
      worker.registerActivitiesImplementations(captioner.get());
      queues.add(TaskQueues.CAPTIONER);
    }
    return queues;
  }

  private PollerBehavior pollers(Pool pool) {
    PollerSettings settings = config.worker().pollersOf(pool.configName());
    return settings.autoscaling()
        ? new PollerBehaviorAutoscaling(settings.minimum(), settings.maximum(), settings.initial())
        : new PollerBehaviorSimpleMaximum(settings.maximum());
  }

  /**
   * The options of an endpoint's API worker. Its requests-per-minute limit is the server-side
   * activities-per-second limit of the endpoint's task queue, which holds across all workers (each
   * model call is one activity task, retries included); the last worker to poll sets it.
   */
  static WorkerOptions apiWorkerOptions(EndpointSettings endpoint, PollerBehavior pollers) {
    WorkerOptions.Builder options =
        WorkerOptions.newBuilder()
            .setMaxConcurrentActivityExecutionSize(endpoint.maxConcurrency())
            // Model calls wait on the network: virtual threads make high concurrency cheap. They
            // keep heartbeating while a SIGTERM drains them, and are handed back when it ends.
            .setUsingVirtualThreadsOnActivityWorker(true)
            .setAllowActivityHeartbeatDuringShutdown(true)
            .setActivityTaskPollersBehavior(pollers);
    if (endpoint.requestsPerMinute() != null) {
      options.setMaxTaskQueueActivitiesPerSecond(endpoint.requestsPerMinute() / 60.0);
    }
    return options.build();
  }
}
