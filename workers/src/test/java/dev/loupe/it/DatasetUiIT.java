package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.browser.BrowserCheck;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.image.TestImages;
import dev.loupe.storage.Locations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person sees in a browser: a dataset started from the Temporal UI's Start Workflow form on
 * the real dev server, its page in the UI, and the {@code report.html} it writes, in headless
 * Chromium. Screenshots are saved under {@code workers/target/screenshots/}.
 */
class DatasetUiIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  @Test
  void datasetStartedFromTheUiFormCompletesWithItsOutputs() throws Exception {
    String ui = TestServers.temporalUiUrl();
    Path images = copyExamples(Files.createDirectories(work.resolve("images")));
    Path out = work.resolve("out");
    String id = "ui-form-" + System.nanoTime();
    Path input = work.resolve("input.json");
    // Exactly what a user pastes: the DatasetRequest JSON of DESIGN §2.
    Files.writeString(
        input,
        """
        {
          "source": "%s",
          "output": "%s",
          "recipe": "allava",
          "window": 2
        }
        """
            .formatted(uri(images), uri(out)));

    try (InProcessWorkers workers = InProcessWorkers.start(2)) {
      JsonNode started =
          BrowserCheck.run(
              "start-workflow.mjs",
              ui,
              "default",
              id,
              "loupe-workflows",
              "DatasetWorkflow",
              input.toString(),
              BrowserCheck.screenshot("ui-start").toString());
      assertThat(started.get("url").asText()).contains(id);

      DatasetResult result =
          workers
              .client()
              .newUntypedWorkflowStub(id)
              .getResult(4, TimeUnit.MINUTES, DatasetResult.class);

      assertThat(result.counts().accepted()).isEqualTo(4);
      assertThat(Files.readAllLines(out.resolve("samples.jsonl"))).hasSize(4);
      assertThat(JSON.readTree(out.resolve("llava.json").toFile())).hasSize(8);
      assertThat(JSON.readTree(out.resolve("stats.json").toFile()).get("images_accepted").asLong())
          .isEqualTo(4);
      assertThat(out.resolve("report.html")).exists();
      assertThat(JSON.readTree(out.resolve("run.json").toFile()).get("status").asText())
          .isEqualTo("completed");
      assertThat(workers.fake.invalidRequestCount()).isZero();
      assertThat(
              workers.countWorkflows(
                  "LoupeDataset=\"" + id + "\"", 4, java.time.Duration.ofSeconds(30)))
          .isEqualTo(4);

      JsonNode page =
          BrowserCheck.run(
              "workflow-page.mjs",
              workers.temporal.workflowLink(id),
              BrowserCheck.screenshot("ui-workflow-details.png").toString(),
              "4 accepted",
              "User Metadata");
      assertThat(page.get("text").asText()).contains("completed · 4 of 4 done · 4 accepted");
    }
  }

  @Test
  void manifestDatasetWritesAReportThatRendersInABrowser() throws Exception {
    Path images = copyExamples(Files.createDirectories(work.resolve("images")));
    Files.write(images.resolve("truncated.png"), TestImages.truncatedPng());
    Files.write(images.resolve("tiny.png"), TestImages.tinyPng());
    Path manifest = work.resolve("manifest.jsonl");
    Files.writeString(
        manifest,
        """
        {"uri": "images/bar-chart.png", "id": "chart-1", "alt_text": "Quarterly revenue", "lang": "en"}
        {"uri": "images/landscape.jpg", "id": "photo-1", "alt_text": "A house on a hill"}
        {"uri": "images/receipt.png", "id": "receipt-1", "lang": "en"}
        {"uri": "%s", "id": "page-1"}
        {"uri": "images/truncated.png", "id": "broken-1"}
        {"uri": "images/tiny.png", "id": "tiny-1"}
        """
            .formatted(images.resolve("report-page.png")));
    Path out = work.resolve("out");

    try (InProcessWorkers workers =
        InProcessWorkers.start(2, InProcessWorkers.recipeAsking(work, 2))) {
      DatasetResult result =
          workers
              .start(
                  "manifest-" + System.nanoTime(),
                  DatasetRequest.of(uri(manifest), uri(out)).withWindow(3).withRecipe("allava-2q"))
              .getResult(4, TimeUnit.MINUTES, DatasetResult.class);

      assertThat(result.counts().listed()).isEqualTo(6);
      assertThat(result.counts().accepted()).isEqualTo(4);
      assertThat(result.counts().rejected()).isEqualTo(2);
      List<JsonNode> samples = lines(out.resolve("samples.jsonl"));
      assertThat(samples)
          .anySatisfy(
              sample -> {
                assertThat(sample.at("/provenance/source_id").asText()).isEqualTo("chart-1");
                assertThat(sample.at("/provenance/alt_text").asText())
                    .isEqualTo("Quarterly revenue");
                assertThat(sample.at("/provenance/lang").asText()).isEqualTo("en");
              });
      // Two accepted questions per image, one multi-turn conversation each (the default).
      JsonNode llava = JSON.readTree(out.resolve("llava.json").toFile());
      assertThat(llava).hasSize(8);
      assertThat(llava)
          .filteredOn(sample -> sample.get("id").asText().endsWith("-qa"))
          .allSatisfy(sample -> assertThat(sample.get("conversations")).hasSize(4));

      Path screenshot = BrowserCheck.screenshot("report.png");
      JsonNode report =
          BrowserCheck.run(
              "report-check.mjs", out.resolve("report.html").toString(), screenshot.toString());

      assertThat(report.get("errors")).as(report.toString()).isEmpty();
      assertThat(report.get("externalRequests")).isEmpty();
      assertThat(report.get("dialogs")).isEmpty();
      assertThat(report.get("injected")).isEmpty();
      assertThat(report.get("images").asInt()).isEqualTo(6);
      assertThat(report.get("rendered").asInt()).isEqualTo(6);
      assertThat(report.get("thumbnails").asInt()).isEqualTo(5);
      assertThat(report.get("galleryCards").asInt()).isEqualTo(4);
      assertThat(report.get("rejectedCards").asInt()).isEqualTo(2);
      assertThat(report.get("filtered").asInt()).isZero();
      // Outcomes, rejections, tokens, cost by lane (calls, nothing paid) and latency; the fake
      // model has no price, so no cost-by-stage chart.
      assertThat(report.get("charts").asInt()).isEqualTo(5);
      assertThat(screenshot).isNotEmptyFile();
    }
  }

  private static Path copyExamples(Path target) throws IOException {
    Path examples = Path.of("..", "examples", "images");
    try (Stream<Path> files = Files.list(examples)) {
      for (Path file : files.filter(f -> !f.getFileName().toString().endsWith(".md")).toList()) {
        Files.copy(file, target.resolve(file.getFileName()));
      }
    }
    return target;
  }

  private static List<JsonNode> lines(Path file) throws IOException {
    return Files.readAllLines(file).stream()
        .map(
            line -> {
              try {
                return JSON.readTree(line);
              } catch (IOException e) {
                throw new AssertionError(e);
              }
            })
        .toList();
  }

  private static String uri(Path path) {
    return Files.isDirectory(path) || !Files.exists(path) && !path.toString().endsWith(".jsonl")
        ? Locations.asDirectory(Locations.file(path)).toString()
        : Locations.file(path).toString();
  }
}
