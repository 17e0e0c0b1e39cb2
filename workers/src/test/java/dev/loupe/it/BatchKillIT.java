package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.bench.BenchConfig;
import dev.loupe.bench.LoupeCluster;
import dev.loupe.bench.LoupeWorker;
import dev.loupe.contract.BatchProgress;
import dev.loupe.contract.BatchWorkflow;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.TaskQueues;
import dev.loupe.image.TestImages;
import dev.loupe.provider.openai.FakeOpenAiServer;
import dev.loupe.storage.Locations;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the batch lane: {@code loupe worker} processes (workflows, CPU, API) from the packaged
 * jar on the test servers' Temporal, against the fake OpenAI Batch API. Once a batch is submitted
 * and while the provider still works on it, the API worker (which submitted it and polls it) and
 * the workflows worker (which runs the batch workflow) are killed with SIGKILL and started again.
 * Every line is submitted exactly once, every result delivered once, and the run completes with
 * every image accepted.
 */
class BatchKillIT {
  private static final String KEY = "sk-batchkill-0123456789";
  private static final int IMAGES = 6;
  private static final int CALLS_PER_IMAGE = 4;

  @TempDir Path work;

  @Test
  void killingTheWorkersBetweenSubmitAndResultsSubmitsNoLineTwiceAndLosesNone() throws Exception {
    Path images = Files.createDirectories(work.resolve("images"));
    byte[] chart = TestImages.barChartPng();
    for (int i = 0; i < IMAGES; i++) {
      // Distinct bytes, so distinct images: one trailing byte after the PNG's end.
      byte[] bytes = java.util.Arrays.copyOf(chart, chart.length + 1);
      bytes[chart.length] = (byte) i;
      Files.write(images.resolve("img-" + i + ".png"), bytes);
    }
    try (FakeOpenAiServer fake = FakeOpenAiServer.start(0, KEY);
        LoupeCluster cluster =
            new LoupeCluster(
                null,
                TestServers.temporalAddress(),
                LoupeProcess.JAR,
                work,
                new BenchConfig(fake.baseUrl(), "BATCHKILL_API_KEY", 8)
                    .withOpenAiBatch("{maxRequests: 10, maxWaitSeconds: 1, pollSeconds: 1}"),
                KEY,
                "256m")) {
      fake.batches().setPollsBeforeDone(Integer.MAX_VALUE);
      LoupeWorker workflows = cluster.startWorker("workflows");
      cluster.startWorker("cpu");
      LoupeWorker api = cluster.startWorker("api");
      String id = "batch-kill-" + System.nanoTime();
      start(cluster.client(), id, images, work.resolve("out"));

      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (fake.batches().batchesCreated() < 1 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(fake.batches().batchesCreated()).as("a batch was submitted").isPositive();
      Thread.sleep(2000); // the batch is recorded and being polled
      api.kill();
      workflows.kill();
      int linesBeforeKill = fake.batches().linesReceived().size();
      fake.batches().setPollsBeforeDone(0);
      cluster.startWorker("workflows");
      cluster.startWorker("api");

      DatasetResult result =
          cluster
              .client()
              .newUntypedWorkflowStub(id)
              .getResult(5, TimeUnit.MINUTES, DatasetResult.class);

      assertThat(result.counts().accepted()).as(cluster.logs()).isEqualTo(IMAGES);
      Map<String, Integer> lines = fake.batches().linesReceived();
      assertThat(lines).hasSize(IMAGES * CALLS_PER_IMAGE);
      assertThat(Set.copyOf(lines.values())).containsExactly(1);
      BatchProgress lane =
          cluster
              .client()
              .newUntypedWorkflowStub(BatchWorkflow.workflowId(id, BenchConfig.ENDPOINT))
              .getResult(1, TimeUnit.MINUTES, BatchProgress.class);
      assertThat(lane.linesDone()).isEqualTo(IMAGES * CALLS_PER_IMAGE);
      assertThat(lane.linesFailed()).isZero();
      System.out.printf(
          "BATCH_KILL %d images, %d lines, %d in batches at the kill, %d batches, each line"
              + " submitted once, %d delivered%n",
          IMAGES, lines.size(), linesBeforeKill, fake.batches().batchesCreated(), lane.linesDone());
    }
  }

  private static void start(WorkflowClient client, String id, Path images, Path out) {
    DatasetWorkflow dataset =
        client.newWorkflowStub(
            DatasetWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .build());
    WorkflowClient.start(
        dataset::run,
        DatasetRequest.of(dir(images), dir(out))
            .withRecipe("allava")
            .withLane("batch")
            .withWindow(IMAGES)
            .withFailedWaitHours(0.0));
  }

  private static String dir(Path path) {
    return Locations.asDirectory(Locations.file(path)).toString();
  }
}
