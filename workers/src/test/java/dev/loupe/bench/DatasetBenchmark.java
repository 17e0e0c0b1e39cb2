package dev.loupe.bench;

import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.Progress;
import dev.loupe.contract.TaskQueues;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one dataset of generated images through a real Temporal server with one {@code loupe worker
 * --pool all} process and a fast fake model endpoint, and prints what it cost: images per second,
 * history events per image, the continue-as-new count, and the worker's memory (peak RSS, heap
 * after collections, heap after a full collection at the end). Run it with {@code scripts/benchmark
 * [images] [window] [max heap]}, which builds the jar and starts the servers.
 */
public final class DatasetBenchmark {
  private DatasetBenchmark() {}

  public static void main(String[] args) throws Exception {
    int images = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int window = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    String maxHeap = args.length > 2 ? args[2] : "1g";
    String address = System.getenv("TEMPORAL_ADDRESS");
    if (address == null) {
      throw new IllegalStateException("TEMPORAL_ADDRESS is not set: run scripts/benchmark");
    }
    Path base = Path.of("target", "bench").toAbsolutePath();
    Path jar = Path.of("workers", "target", "loupe.jar").toAbsolutePath();
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path work = Files.createDirectories(base.resolve("run-" + images + "-" + stamp));
    System.err.printf("bench: %d images, window %d, worker heap %s%n", images, window, maxHeap);
    long madeAt = System.nanoTime();
    Path source = BenchImages.ensure(base.resolve("images-" + images), images);
    System.err.printf("bench: images ready in %.0f s%n", seconds(madeAt));

    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    try (FastFakeEndpoint endpoint = FastFakeEndpoint.start();
        WorkerProcess worker =
            WorkerProcess.start(
                jar,
                work,
                maxHeap,
                Map.of(
                    "TEMPORAL_ADDRESS",
                    address,
                    "OPENAI_BASE_URL",
                    endpoint.baseUrl(),
                    "LOUPE_MODEL",
                    "bench-model",
                    // The images are shared by runs, beside this run's directory.
                    "LOUPE_INPUT_ROOTS",
                    base.toString(),
                    "LOUPE_OUTPUT_ROOTS",
                    base.toString()))) {
      worker.awaitPolling(Duration.ofMinutes(2));
      WorkflowClient client =
          WorkflowClient.newInstance(
              service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
      String id = "bench-" + images + "-" + stamp;
      DatasetWorkflow workflow =
          client.newWorkflowStub(
              DatasetWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId(id)
                  .setTaskQueue(TaskQueues.WORKFLOWS)
                  .build());
      DatasetRequest request =
          DatasetRequest.of(source.toUri().toString(), work.resolve("out").toUri().toString())
              .withWindow(window)
              .withFailedWaitHours(0.0);
      long startedAt = System.nanoTime();
      WorkflowClient.start(workflow::run, request);
      WorkflowStub stub = client.newUntypedWorkflowStub(id);

      AtomicLong peakRss = new AtomicLong();
      var result = stub.getResultAsync(DatasetResult.class);
      while (!result.isDone()) {
        peakRss.accumulateAndGet(worker.rssMiB()[1], Math::max);
        try {
          Progress progress = stub.query("progress", Progress.class);
          System.err.printf(
              Locale.ROOT,
              "bench: %4.0f s  %s  rss %d MiB%n",
              seconds(startedAt),
              progressLine(progress),
              worker.rssMiB()[0]);
        } catch (RuntimeException betweenRuns) {
          // Continue-as-new in progress; the next poll answers.
        }
        try {
          result.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException stillRunning) {
          // poll again
        }
      }
      DatasetResult done = result.get();
      double wall = seconds(startedAt);
      peakRss.accumulateAndGet(worker.rssMiB()[1], Math::max);
      List<Long> afterGc = worker.heapAfterGcMiB();
      worker.fullGc();
      List<Long> afterFull = worker.heapAfterGcMiB();
      long retained = afterFull.isEmpty() ? -1 : afterFull.get(afterFull.size() - 1);

      Progress last = stub.query("progress", Progress.class);
      System.out.printf(
          Locale.ROOT,
          "%,d images, window %d: %.0f s, %.1f images/s, %d continue-as-new, %d accepted;"
              + " worker -Xmx%s: peak RSS %d MiB, max heap after GC %d MiB, heap after full GC"
              + " at end %d MiB; model requests %,d%n",
          images,
          window,
          wall,
          images / wall,
          last.continuedAsNew(),
          done.counts().accepted(),
          maxHeap,
          peakRss.get(),
          afterGc.stream().mapToLong(Long::longValue).max().orElse(-1),
          retained,
          endpoint.requests());
      System.out.flush();

      History runs = history(client, "WorkflowId = '" + id + "'", 1);
      History children = history(client, "LoupeDataset = '" + id + "'", images);
      String figures =
          String.format(
              Locale.ROOT,
              "| %,d | %d | %.0f s | %.1f | %d | %.1f | %.1f | %d | %d MiB | %d MiB | %d MiB |",
              images,
              window,
              wall,
              images / wall,
              last.continuedAsNew(),
              (double) runs.events() / images,
              (double) children.events() / Math.max(1, children.workflows()),
              done.counts().accepted(),
              peakRss.get(),
              afterGc.stream().mapToLong(Long::longValue).max().orElse(-1),
              retained);
      System.out.println(
          "| images | window | wall | images/s | continue-as-new | dataset events/image |"
              + " events/image workflow | accepted | worker peak RSS | max heap after GC |"
              + " heap after full GC at end |");
      System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
      System.out.println(figures);
      System.out.printf(
          Locale.ROOT,
          "dataset runs: %d (%,d events); image workflows: %,d (%,d events)%n",
          runs.workflows(),
          runs.events(),
          children.workflows(),
          children.events());
      Files.writeString(
          base.resolve("results.md"),
          figures + "  <!-- " + id + " -->\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } finally {
      service.shutdown();
    }
  }

  private record History(long workflows, long events) {}

  /** Workflows matching the visibility query and their history events, once all are listed. */
  private static History history(WorkflowClient client, String query, long expected)
      throws InterruptedException {
    History found = new History(0, 0);
    for (int attempt = 0; attempt < 60; attempt++) {
      long workflows = 0;
      long events = 0;
      com.google.protobuf.ByteString token = com.google.protobuf.ByteString.EMPTY;
      do {
        ListWorkflowExecutionsResponse page =
            listPage(
                client,
                ListWorkflowExecutionsRequest.newBuilder()
                    .setNamespace("default")
                    .setQuery(query)
                    .setPageSize(1000)
                    .setNextPageToken(token)
                    .build());
        for (WorkflowExecutionInfo info : page.getExecutionsList()) {
          workflows++;
          events += info.getHistoryLength();
        }
        token = page.getNextPageToken();
      } while (!token.isEmpty());
      found = new History(workflows, events);
      if (workflows >= expected) {
        return found;
      }
      Thread.sleep(1000);
    }
    return found;
  }

  /** One page, retried while the dev server sheds load ("persistence max QPS reached"). */
  private static ListWorkflowExecutionsResponse listPage(
      WorkflowClient client, ListWorkflowExecutionsRequest request) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return client.getWorkflowServiceStubs().blockingStub().listWorkflowExecutions(request);
      } catch (io.grpc.StatusRuntimeException busy) {
        if (attempt >= 30
            || busy.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE
                && busy.getStatus().getCode() != io.grpc.Status.Code.RESOURCE_EXHAUSTED) {
          throw busy;
        }
        Thread.sleep(1000L * attempt);
      }
    }
  }

  private static String progressLine(Progress progress) {
    return String.format(
        Locale.ROOT,
        "%s %,d/%,d done, %d in flight, %d continue-as-new",
        progress.state(),
        progress.done(),
        progress.total(),
        progress.inFlight(),
        progress.continuedAsNew());
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
