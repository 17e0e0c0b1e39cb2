package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.Progress;
import dev.loupe.image.TestImages;
import dev.loupe.provider.openai.FakeReply;
import dev.loupe.storage.Locations;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.CanceledFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datasets on the real Temporal dev server, with every pool's workers in this JVM: started with the
 * {@code temporal} CLI, restarted into the same output, cancelled while images are in flight.
 */
class DatasetCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  @Test
  void datasetStartedWithTheTemporalCliCompletesWithItsOutputs() throws Exception {
    Path images = images(3);
    Path out = work.resolve("out");
    String id = "cli-start-" + System.nanoTime();
    String input =
        """
        {"source": "%s", "output": "%s", "recipe": "allava-2q", "conversation": "separate", "window": 2}"""
            .formatted(dir(images), dir(out));

    try (InProcessWorkers workers =
        InProcessWorkers.start(2, InProcessWorkers.recipeAsking(work, 2))) {
      Process temporal =
          new ProcessBuilder(
                  TestServers.temporalCli().toString(),
                  "workflow",
                  "start",
                  "--address",
                  TestServers.temporalAddress(),
                  "--namespace",
                  "default",
                  "--task-queue",
                  "loupe-workflows",
                  "--type",
                  "DatasetWorkflow",
                  "--workflow-id",
                  id,
                  "--input",
                  input)
              .redirectErrorStream(true)
              .start();
      String said = new String(temporal.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(temporal.waitFor(1, TimeUnit.MINUTES)).isTrue();
      assertThat(temporal.exitValue()).as(said).isZero();

      DatasetResult result =
          workers
              .client()
              .newUntypedWorkflowStub(id)
              .getResult(4, TimeUnit.MINUTES, DatasetResult.class);

      assertThat(result.counts().accepted()).isEqualTo(3);
      assertThat(result.files()).contains("samples.jsonl", "report.html");
      assertThat(Files.readAllLines(out.resolve("samples.jsonl"))).hasSize(3);
      // "separate": a caption sample and one sample per accepted question, for each image.
      JsonNode llava = JSON.readTree(out.resolve("llava.json").toFile());
      assertThat(llava).hasSize(9);
      assertThat(llava)
          .filteredOn(sample -> sample.get("id").asText().contains("-qa-"))
          .hasSize(6)
          .allSatisfy(sample -> assertThat(sample.get("conversations")).hasSize(2));
      assertThat(Files.readAllLines(out.resolve("sharegpt.jsonl"))).hasSize(9);
    }
  }

  @Test
  void restartingADatasetIntoTheSameOutputRedoesNoFinishedImage() throws Exception {
    Path images = images(3);
    Path out = work.resolve("out");
    DatasetRequest request = DatasetRequest.of(dir(images), dir(out));

    try (InProcessWorkers workers = InProcessWorkers.start(2)) {
      DatasetResult first =
          workers
              .start("resume-a-" + System.nanoTime(), request)
              .getResult(4, TimeUnit.MINUTES, DatasetResult.class);
      int callsAfterFirst = workers.fake.requestCount();
      Files.write(images.resolve("new.png"), TestImages.documentPagePng());

      DatasetResult second =
          workers
              .start("resume-b-" + System.nanoTime(), request)
              .getResult(4, TimeUnit.MINUTES, DatasetResult.class);

      assertThat(first.counts().accepted()).isEqualTo(3);
      assertThat(second.counts().accepted()).isEqualTo(4);
      // Only the new image was paid for: describe, ask, answer, evaluate.
      assertThat(workers.fake.requestCount() - callsAfterFirst).isEqualTo(4);
      assertThat(Files.readAllLines(out.resolve("samples.jsonl"))).hasSize(4);
    }
  }

  @Test
  void cancellingDrainsTheImagesInFlightAndExportsWhatWasDone() throws Exception {
    Path images = images(6);
    Path out = work.resolve("out");
    String id = "cancel-" + System.nanoTime();

    try (InProcessWorkers workers = InProcessWorkers.start(2)) {
      workers.fake.setRule(
          request -> Optional.of(new FakeReply.Delayed(Duration.ofMillis(1500), null)));
      WorkflowStub stub = workers.start(id, DatasetRequest.of(dir(images), dir(out)).withWindow(2));
      Progress busy =
          InProcessWorkers.awaitProgress(
              stub, progress -> progress.inFlight() == 2, seen -> {}, Duration.ofMinutes(1));
      assertThat(busy.done()).isLessThan(6);

      stub.cancel();

      assertThatThrownBy(() -> stub.getResult(3, TimeUnit.MINUTES, DatasetResult.class))
          .isInstanceOf(WorkflowFailedException.class)
          .hasCauseInstanceOf(CanceledFailure.class);
      assertThat(stub.describe().getStatus())
          .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
      Progress ended = stub.query("progress", Progress.class);
      assertThat(ended.message()).startsWith("cancelled: drained");
      assertThat(ended.inFlight()).isZero();
      // The images in flight when it was cancelled finished; no new one started after.
      assertThat(ended.accepted()).isGreaterThanOrEqualTo(2).isLessThan(6);
      assertThat(ended.done()).isEqualTo(ended.accepted());
      assertThat(JSON.readTree(out.resolve("run.json").toFile()).get("status").asText())
          .isEqualTo("cancelled");
      assertThat(Files.readAllLines(out.resolve("samples.jsonl"))).hasSize((int) ended.accepted());
    }
  }

  private Path images(int count) throws IOException {
    Path images = Files.createDirectories(work.resolve("images"));
    List<byte[]> kinds =
        List.of(TestImages.barChartPng(), TestImages.receiptPng(), TestImages.photoJpeg());
    for (int i = 0; i < count; i++) {
      byte[] image = kinds.get(i % kinds.size());
      // Distinct bytes per file (each image is its hash): trailing bytes that decoders ignore.
      byte[] distinct = java.util.Arrays.copyOf(image, image.length + 1 + i);
      Files.write(
          images.resolve(String.format("img-%02d.%s", i, i % 3 == 2 ? "jpg" : "png")), distinct);
    }
    return images;
  }

  private static String dir(Path path) {
    return Locations.asDirectory(Locations.file(path)).toString();
  }
}
