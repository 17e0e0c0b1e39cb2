package dev.loupe.cli;

import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.TaskQueues;
import dev.loupe.embedded.RemoteTemporal;
import io.temporal.api.enums.v1.TaskQueueKind;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Prints each pool's task queue: backlog, its age, rates and pollers, to know what to scale. */
@Command(
    name = "pools",
    mixinStandardHelpOptions = true,
    description = "Show each pool's task-queue backlog and pollers.")
final class PoolsCommand implements Callable<Integer> {
  @Option(
      names = "--endpoint",
      description = "also show loupe-api-<endpoint> for these endpoints (default: the configured)")
  List<String> endpoints = List.of();

  @Mixin CommonOptions common;

  @Override
  public Integer call() throws Exception {
    LoupeConfig config = common.load();
    Set<String> apiEndpoints = new LinkedHashSet<>(config.endpoints().keySet());
    apiEndpoints.addAll(endpoints);
    List<PoolsReport.Queue> queues = new ArrayList<>();
    queues.add(
        new PoolsReport.Queue(
            "workflows", TaskQueues.WORKFLOWS, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW));
    queues.add(
        new PoolsReport.Queue("cpu", TaskQueues.CPU, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY));
    for (String endpoint : apiEndpoints) {
      queues.add(
          new PoolsReport.Queue(
              "api", TaskQueues.api(endpoint), TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY));
    }
    queues.add(
        new PoolsReport.Queue(
            "captioner", TaskQueues.CAPTIONER, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY));
    try (RemoteTemporal temporal = RemoteTemporal.connect(config.temporal(), System.getenv())) {
      WorkflowServiceStubs service = temporal.client().getWorkflowServiceStubs();
      String namespace = config.temporal().namespace();
      List<PoolsReport.Row> rows = new ArrayList<>();
      for (PoolsReport.Queue queue : queues) {
        rows.add(
            new PoolsReport.Row(
                queue,
                service
                    .blockingStub()
                    .describeTaskQueue(
                        DescribeTaskQueueRequest.newBuilder()
                            .setNamespace(namespace)
                            .setTaskQueue(
                                TaskQueue.newBuilder()
                                    .setName(queue.name())
                                    .setKind(TaskQueueKind.TASK_QUEUE_KIND_NORMAL))
                            .setTaskQueueType(queue.type())
                            .setReportStats(true)
                            .build())));
      }
      System.out.print(PoolsReport.render(rows));
    }
    return 0;
  }
}
