package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.browser.BrowserCheck;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.Progress;
import dev.loupe.image.TestImages;
import dev.loupe.provider.openai.FakeReply;
import dev.loupe.storage.Locations;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import io.temporal.client.WorkflowStub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failed-items loop on the real dev server: an endpoint that rejects every call fails every
 * image; the run exports, lists them in failed.jsonl and waits; once the endpoint is fixed, {@code
 * loupe retry-failed} (the packaged CLI) runs them again and the run completes with all accepted.
 * Progress is checked at every poll along the way.
 */
class RetryFailedIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int IMAGES = 4;

  @TempDir Path work;

  @Test
  void rejectedCallsFailEveryImageAndRetryFailedAfterTheFixAcceptsThemAll() throws Exception {
    Path images = Files.createDirectories(work.resolve("images"));
    List<byte[]> kinds =
        List.of(
            TestImages.barChartPng(),
            TestImages.receiptPng(),
            TestImages.documentPagePng(),
            TestImages.photoJpeg());
    for (int i = 0; i < IMAGES; i++) {
      Files.write(images.resolve("img-" + i + (i == 3 ? ".jpg" : ".png")), kinds.get(i));
    }
    Path out = work.resolve("out");
    String id = "retry-it-" + System.nanoTime();
    List<Progress> seen = new ArrayList<>();

    try (InProcessWorkers workers = InProcessWorkers.start(2)) {
      workers.fake.setRule(
          request ->
              Optional.of(
                  new FakeReply.HttpError(
                      403,
                      "invalid_request_error",
                      "unsupported_country_region_territory",
                      "Country, region, or territory not supported (fake).",
                      Map.of())));
      WorkflowStub stub =
          workers.start(
              id, DatasetRequest.of(dir(images), dir(out)).withWindow(2).withFailedWaitHours(1.0));

      Progress waiting =
          InProcessWorkers.awaitProgress(
              stub,
              progress -> Progress.WAITING.equals(progress.state()),
              seen::add,
              Duration.ofMinutes(2));

      assertThat(waiting.total()).isEqualTo(IMAGES);
      assertThat(waiting.listingDone()).isTrue();
      assertThat(waiting.done()).isEqualTo(IMAGES);
      assertThat(waiting.failed()).isEqualTo(IMAGES);
      assertThat(waiting.accepted()).isZero();
      assertThat(waiting.inFlight()).isZero();
      assertThat(waiting.waitingUntil()).isNotNull();
      List<String> failed = Files.readAllLines(out.resolve("failed.jsonl"));
      assertThat(failed).hasSize(IMAGES);
      assertThat(JSON.readTree(failed.get(0)).get("failure_type").asText())
          .isEqualTo("authentication");
      String details =
          stub.query("__temporal_workflow_metadata", WorkflowMetadata.class).getCurrentDetails();
      assertThat(details)
          .startsWith("**waiting · 4 of 4 done · 0 accepted · 0 rejected · 4 failed")
          .contains("retryFailed", "loupe retry-failed " + id, "authentication");
      assertThat(
              workers.countWorkflows("LoupeDataset=\"" + id + "\"", IMAGES, Duration.ofSeconds(30)))
          .isEqualTo(IMAGES);
      // What a person sees in the Temporal UI while the run waits: the dev server's UI, so not in
      // the pass on the PostgreSQL-backed server, which runs no UI (the details are asserted
      // above).
      if (TestServers.hasUi()) {
        JsonNode page =
            BrowserCheck.run(
                "workflow-page.mjs",
                workers.temporal.workflowLink(id),
                BrowserCheck.screenshot("ui-waiting-details.png").toString(),
                "retryFailed",
                "User Metadata");
        assertThat(page.get("text").asText()).contains("4 images failed", "authentication");
      }

      workers.fake.setRule(request -> Optional.empty());
      LoupeProcess retry =
          LoupeProcess.start(
              work, Map.of("TEMPORAL_ADDRESS", TestServers.temporalAddress()), "retry-failed", id);
      assertThat(retry.waitFor(Duration.ofMinutes(1))).as(retry.stderr()).isZero();
      assertThat(retry.stdout())
          .contains("retry round 1 of " + id + ": running " + IMAGES + " failed images again");

      InProcessWorkers.awaitProgress(
          stub,
          progress -> Progress.COMPLETED.equals(progress.state()),
          seen::add,
          Duration.ofMinutes(3));
      DatasetResult result = stub.getResult(1, TimeUnit.MINUTES, DatasetResult.class);

      assertThat(result.counts().accepted()).isEqualTo(IMAGES);
      assertThat(result.counts().failed()).isZero();
      assertThat(Files.readAllLines(out.resolve("failed.jsonl"))).isEmpty();
      assertThat(Files.readAllLines(out.resolve("samples.jsonl"))).hasSize(IMAGES);
      assertThat(JSON.readTree(out.resolve("stats.json").toFile()).get("images_accepted").asLong())
          .isEqualTo(IMAGES);
      String sha = JSON.readTree(failed.get(0)).get("id").asText();
      assertThat(
              workers
                  .client()
                  .newUntypedWorkflowStub(id + "/" + sha + "/retry-1")
                  .describe()
                  .getStatus())
          .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);

      LoupeProcess status =
          LoupeProcess.start(
              work, Map.of("TEMPORAL_ADDRESS", TestServers.temporalAddress()), "status", id);
      assertThat(status.waitFor(Duration.ofMinutes(1))).as(status.stderr()).isZero();
      assertThat(status.stdout()).contains("4/4", "completed", "4 accepted", "0 failed");
    }

    assertThat(seen).isNotEmpty();
    for (Progress progress : seen) {
      assertThat(progress.accepted() + progress.rejected() + progress.failed())
          .as("%s", progress)
          .isEqualTo(progress.done());
      assertThat(progress.done() + progress.inFlight())
          .as("%s", progress)
          .isLessThanOrEqualTo(IMAGES);
      assertThat(progress.total()).as("%s", progress).isLessThanOrEqualTo(IMAGES);
      if (progress.retryRound() == 1 && !Progress.COMPLETED.equals(progress.state())) {
        // During the round an image is failed, in flight or accepted: never counted twice.
        assertThat(progress.failed() + progress.inFlight() + progress.accepted())
            .as("%s", progress)
            .isEqualTo(IMAGES);
      }
    }
    assertThat(seen).anySatisfy(progress -> assertThat(progress.retryRound()).isEqualTo(1));
  }

  private static String dir(Path path) {
    return Locations.asDirectory(Locations.file(path)).toString();
  }
}
