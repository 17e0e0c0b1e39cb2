package dev.loupe.worker;

import dev.loupe.config.EndpointSettings;
import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.ApiActivities;
import dev.loupe.contract.CpuActivities;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.ImageWorkflow;
import dev.loupe.contract.TaskQueues;
import dev.loupe.workflow.ApiRetry;
import dev.loupe.workflow.DatasetTuning;
import dev.loupe.workflow.DatasetWorkflowImpl;
import dev.loupe.workflow.ImageWorkflowImpl;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** Registers each pool's workflows and activities on its task queues. */
public final class PoolRegistrar {
  private final LoupeConfig config;
  private final Supplier<CpuActivities> cpu;
  private final Supplier<ApiActivities> api;
  private final DatasetTuning tuning;
  private final ApiRetry retry;

  public PoolRegistrar(
      LoupeConfig config,
      Supplier<CpuActivities> cpu,
      Supplier<ApiActivities> api,
      DatasetTuning tuning,
      ApiRetry retry) {
    this.config = config;
    this.cpu = cpu;
    this.api = api;
    this.tuning = tuning;
    this.retry = retry;
  }

  /** Creates the pools' workers on the factory; returns the task queues polled. */
  public List<String> register(WorkerFactory factory, Set<Pool> pools) {
    List<String> queues = new ArrayList<>();
    if (pools.contains(Pool.WORKFLOWS)) {
      Worker worker = factory.newWorker(TaskQueues.WORKFLOWS);
      worker.registerWorkflowImplementationFactory(
          DatasetWorkflow.class, () -> new DatasetWorkflowImpl(tuning));
      worker.registerWorkflowImplementationFactory(
          ImageWorkflow.class, () -> new ImageWorkflowImpl(retry));
      queues.add(TaskQueues.WORKFLOWS);
    }
    if (pools.contains(Pool.CPU)) {
      Worker worker =
          factory.newWorker(
              TaskQueues.CPU,
              WorkerOptions.newBuilder()
                  .setMaxConcurrentActivityExecutionSize(config.cpuConcurrency())
                  .build());
      worker.registerActivitiesImplementations(cpu.get());
      queues.add(TaskQueues.CPU);
    }
    if (pools.contains(Pool.API)) {
      ApiActivities activities = api.get();
      for (Map.Entry<String, EndpointSettings> endpoint : config.endpoints().entrySet()) {
        String queue = TaskQueues.api(endpoint.getKey());
        Worker worker = factory.newWorker(queue, apiWorkerOptions(endpoint.getValue()));
        worker.registerActivitiesImplementations(activities);
        queues.add(queue);
      }
    }
    return queues;
  }

  /**
   * The options of an endpoint's API worker. Its requests-per-minute limit is the server-side
   * activities-per-second limit of the endpoint's task queue, which holds across all workers (each
   * model call is one activity task, retries included); the last worker to poll sets it.
   */
  static WorkerOptions apiWorkerOptions(EndpointSettings endpoint) {
    WorkerOptions.Builder options =
        WorkerOptions.newBuilder()
            .setMaxConcurrentActivityExecutionSize(endpoint.maxConcurrency())
            // Model calls wait on the network: virtual threads make high concurrency cheap.
            .setUsingVirtualThreadsOnActivityWorker(true);
    if (endpoint.requestsPerMinute() != null) {
      options.setMaxTaskQueueActivitiesPerSecond(endpoint.requestsPerMinute() / 60.0);
    }
    return options.build();
  }
}
