package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contract.DatasetResult;
import dev.loupe.image.TestImages;
import dev.loupe.provider.openai.FakeOpenAiServer;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * First contact as a new user makes it: {@code temporal server start-dev} without Loupe's search
 * attributes, then {@code loupe worker --pool all}. The worker registers the attributes itself and
 * a dataset runs, with its image workflows listed by them.
 */
class SearchAttributeRegistrationIT {
  private static final String FAKE_KEY = "sk-test-attributes-key-000000000";

  @TempDir Path work;

  @Test
  void aWorkerRegistersTheMissingSearchAttributesOnADevServerAndADatasetRuns() throws Exception {
    Process server = startBareDevServer();
    try {
      String address = "127.0.0.1:" + port;
      awaitPort(server);
      Path images = Files.createDirectories(work.resolve("images"));
      Files.write(images.resolve("chart.png"), TestImages.barChartPng());
      Files.write(images.resolve("receipt.png"), TestImages.receiptPng());

      try (FakeOpenAiServer fake = FakeOpenAiServer.start(0, FAKE_KEY)) {
        LoupeProcess worker =
            LoupeProcess.start(
                work,
                Map.of(
                    "TEMPORAL_ADDRESS", address,
                    "OPENAI_API_KEY", FAKE_KEY,
                    "OPENAI_BASE_URL", fake.baseUrl()),
                "worker",
                "--pool",
                "all");
        try {
          String id = "attributes-it-" + System.nanoTime();
          awaitOutput(worker, "loupe: worker polling");
          assertThat(worker.stderr())
              .contains(
                  "registered the search attributes LoupeDataset, LoupeStatus in the namespace"
                      + " default")
              .doesNotContain("lacks the search attributes");

          WorkflowServiceStubs service =
              WorkflowServiceStubs.newServiceStubs(
                  WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
          try {
            assertThat(customAttributes(service)).contains("LoupeDataset", "LoupeStatus");
            LoupeProcess start =
                LoupeProcess.start(
                    work,
                    Map.of("TEMPORAL_ADDRESS", address),
                    "start",
                    images.toString(),
                    "--out",
                    work.resolve("out").toString(),
                    "--id",
                    id);
            assertThat(start.waitFor(Duration.ofMinutes(1))).as(start.stderr()).isZero();
            WorkflowClient client =
                WorkflowClient.newInstance(
                    service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
            DatasetResult result =
                client
                    .newUntypedWorkflowStub(id)
                    .getResult(3, TimeUnit.MINUTES, DatasetResult.class);
            assertThat(result.counts().accepted()).isEqualTo(2);
          } finally {
            service.shutdown();
          }
        } finally {
          worker.process().destroy();
          worker.waitFor(Duration.ofSeconds(45));
        }

        // A second worker finds them registered and says nothing about them.
        LoupeProcess second =
            LoupeProcess.start(
                work,
                Map.of(
                    "TEMPORAL_ADDRESS",
                    address,
                    "OPENAI_API_KEY",
                    FAKE_KEY,
                    "OPENAI_BASE_URL",
                    fake.baseUrl()),
                "worker",
                "--pool",
                "workflows");
        try {
          awaitOutput(second, "loupe: worker polling");
          assertThat(second.stderr()).doesNotContain("registered the search attributes");
        } finally {
          second.process().destroy();
          second.waitFor(Duration.ofSeconds(45));
        }
      }
    } finally {
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  private int port;

  /** The dev server exactly as the quick start of Temporal's docs starts it: no attributes. */
  private Process startBareDevServer() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    return new ProcessBuilder(
            List.of(
                TestServers.temporalCli().toString(),
                "server",
                "start-dev",
                "--ip",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--headless",
                "--log-level",
                "warn"))
        .redirectErrorStream(true)
        .redirectOutput(work.resolve("temporal.log").toFile())
        .start();
  }

  private void awaitPort(Process server) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      assertThat(server.isAlive()).as(Files.readString(work.resolve("temporal.log"))).isTrue();
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    throw new AssertionError("the dev server did not listen within 60 s");
  }

  private static void awaitOutput(LoupeProcess process, String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (process.stderr().contains(text)) {
        return;
      }
      assertThat(process.process().isAlive()).as(process.stderr()).isTrue();
      Thread.sleep(200);
    }
    throw new AssertionError("no '" + text + "' within 60 s:\n" + process.stderr());
  }

  private static java.util.Set<String> customAttributes(WorkflowServiceStubs service) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setChannel(service.getRawChannel())
                .validateAndBuildWithDefaults());
    try {
      return operator
          .blockingStub()
          .listSearchAttributes(
              ListSearchAttributesRequest.newBuilder().setNamespace("default").build())
          .getCustomAttributesMap()
          .keySet();
    } finally {
      operator.shutdown();
    }
  }
}
