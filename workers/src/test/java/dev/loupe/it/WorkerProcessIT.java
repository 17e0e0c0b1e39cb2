package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contract.DatasetResult;
import dev.loupe.image.TestImages;
import dev.loupe.provider.openai.FakeOpenAiServer;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production shape on a real Temporal dev server: a {@code loupe worker --pool all} process, a
 * dataset started with {@code loupe start}, watched with {@code loupe status}, and the worker
 * stopped with SIGTERM.
 */
class WorkerProcessIT {
  @TempDir Path work;

  @Test
  void workerServesADatasetStartedFromTheCliAndStopsCleanlyOnSigterm() throws Exception {
    String address = TestServers.temporalAddress();
    Path images = Files.createDirectories(work.resolve("images"));
    Files.write(images.resolve("chart.png"), TestImages.barChartPng());
    Files.write(images.resolve("receipt.png"), TestImages.receiptPng());
    Path out = work.resolve("out");

    try (FakeOpenAiServer fake = FakeOpenAiServer.start(0, "sk-test-worker-key-000000000000")) {
      Map<String, String> env =
          Map.of(
              "TEMPORAL_ADDRESS",
              address,
              "OPENAI_API_KEY",
              "sk-test-worker-key-000000000000",
              "OPENAI_BASE_URL",
              fake.baseUrl());
      LoupeProcess worker = LoupeProcess.start(work, env, "worker", "--pool", "all");
      try {
        String id = "worker-it-" + System.nanoTime();
        LoupeProcess start =
            LoupeProcess.start(
                work,
                Map.of("TEMPORAL_ADDRESS", address),
                "start",
                images.toString(),
                "--out",
                out.toString(),
                "--id",
                id);
        assertThat(start.waitFor(Duration.ofMinutes(1))).as(start.stderr()).isZero();
        assertThat(start.stdout().strip()).isEqualTo(id);

        WorkflowServiceStubs service =
            WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
        try {
          WorkflowClient client =
              WorkflowClient.newInstance(
                  service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
          DatasetResult result =
              client.newUntypedWorkflowStub(id).getResult(3, TimeUnit.MINUTES, DatasetResult.class);
          assertThat(result.counts().accepted()).isEqualTo(2);
          assertThat(out.resolve("samples.jsonl")).exists();
          assertThat(Files.readAllLines(out.resolve("samples.jsonl"))).hasSize(2);
        } finally {
          service.shutdown();
        }

        LoupeProcess status =
            LoupeProcess.start(work, Map.of("TEMPORAL_ADDRESS", address), "status", id);
        assertThat(status.waitFor(Duration.ofMinutes(1))).as(status.stderr()).isZero();
        assertThat(status.stdout()).contains("2/2", "completed", "2 accepted");
      } finally {
        worker.process().destroy();
      }
      assertThat(worker.waitFor(Duration.ofSeconds(45))).isIn(0, 143);
      assertThat(worker.stderr()).contains("stopping: finishing in-flight tasks");
    }
  }

  /**
   * Each pool in a process of its own, as compose and Helm run them: only the API worker is given
   * the endpoint's key; the workflows worker (which also probes and persists each image, as local
   * activities) and the CPU worker start and serve without it. An API worker without its key stops
   * at start, naming the variable.
   */
  @Test
  void onlyTheApiPoolNeedsTheKeyWhenEachPoolRunsInItsOwnProcess() throws Exception {
    String address = TestServers.temporalAddress();
    Path images = Files.createDirectories(work.resolve("pooled"));
    Files.write(images.resolve("chart.png"), TestImages.barChartPng());
    Files.write(images.resolve("receipt.png"), TestImages.receiptPng());
    Path out = work.resolve("pooled-out");
    String key = "sk-test-pool-key-00000000000000000";

    try (FakeOpenAiServer fake = FakeOpenAiServer.start(0, key)) {
      Path config = work.resolve("pooled.yaml");
      Files.writeString(
          config,
          """
          endpoints:
            pooled:
              provider: openai-compatible
              baseUrl: %s
              model: fake-model
              apiKeyEnv: POOLED_TEST_KEY
          """
              .formatted(fake.baseUrl()));
      Map<String, String> keyless = Map.of("TEMPORAL_ADDRESS", address);
      String[] worker = {"worker", "--config", config.toString(), "--pool"};
      LoupeProcess refused = LoupeProcess.start(work, keyless, with(worker, "api"));
      assertThat(refused.waitFor(Duration.ofMinutes(1))).isNotZero();
      assertThat(refused.stderr()).contains("POOLED_TEST_KEY", "not set");

      LoupeProcess workflows = LoupeProcess.start(work, keyless, with(worker, "workflows"));
      LoupeProcess cpu = LoupeProcess.start(work, keyless, with(worker, "cpu"));
      Map<String, String> withKey = Map.of("TEMPORAL_ADDRESS", address, "POOLED_TEST_KEY", key);
      LoupeProcess api = LoupeProcess.start(work, withKey, with(worker, "api"));
      try {
        String id = "pooled-it-" + System.nanoTime();
        LoupeProcess start =
            LoupeProcess.start(
                work,
                Map.of("TEMPORAL_ADDRESS", address),
                "start",
                images.toString(),
                "--out",
                out.toString(),
                "--id",
                id);
        assertThat(start.waitFor(Duration.ofMinutes(1))).as(start.stderr()).isZero();
        WorkflowServiceStubs service =
            WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
        try {
          WorkflowClient client =
              WorkflowClient.newInstance(
                  service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
          DatasetResult result =
              client.newUntypedWorkflowStub(id).getResult(3, TimeUnit.MINUTES, DatasetResult.class);
          assertThat(result.counts().accepted()).as(workflows.stderr()).isEqualTo(2);
          assertThat(Files.readAllLines(out.resolve("samples.jsonl"))).hasSize(2);
        } finally {
          service.shutdown();
        }
        assertThat(workflows.process().isAlive()).isTrue();
        assertThat(cpu.process().isAlive()).isTrue();
        assertThat(workflows.stderr() + cpu.stderr()).doesNotContain(key);
      } finally {
        workflows.process().destroy();
        cpu.process().destroy();
        api.process().destroy();
      }
    }
  }

  private static String[] with(String[] args, String last) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 1);
    all[args.length] = last;
    return all;
  }
}
