package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.config.LimitsSettings;
import dev.loupe.contract.Counts;
import dev.loupe.contract.DatasetCarry;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.SourceItem;
import dev.loupe.image.TestImages;
import dev.loupe.recipe.ProjectConfig;
import dev.loupe.storage.Locations;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile requests and manifests against the production modules on a real Temporal server: each
 * ends with a clear reason (the run at once, or one rejected image), and the same workers then
 * finish a good dataset.
 */
class HostileInputIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Small enough that a test file can exceed it. */
  private static final long MAX_IMAGE_BYTES = 2_000_000;

  @TempDir Path work;

  @Test
  void hostileRequestsFailAtOnceAndHostileEntriesAreRejectedWhileTheWorkersKeepServing()
      throws Exception {
    Path data = Files.createDirectories(work.resolve("data"));
    Path manifest = hostileManifest(data);
    Path goodImages = Files.createDirectories(work.resolve("good"));
    Files.write(goodImages.resolve("photo.jpg"), TestImages.photoJpeg());

    try (InProcessWorkers workers =
        InProcessWorkers.start(
            2,
            ProjectConfig.directory(),
            config ->
                config.withLimits(
                    new LimitsSettings(MAX_IMAGE_BYTES, null, null, null, null, null)))) {
      String out = dir(work.resolve("out"));

      assertFailsAtOnce(
          workers,
          DatasetRequest.of("/etc/", out),
          "source file:///etc/ is outside the input roots [");
      assertFailsAtOnce(
          workers,
          DatasetRequest.of(dir(data), "/var/www/x/"),
          "output file:///var/www/x/ is outside the output roots [");
      DatasetCarry forged =
          new DatasetCarry(
              null,
              "forged",
              null,
              true,
              List.of(SourceItem.of("file:///etc/passwd", "0".repeat(64), 1)),
              Counts.ZERO,
              0,
              1,
              0);
      assertFailsAtOnce(
          workers, DatasetRequest.of(dir(data), out).withCarry(forged), "carry is internal state");

      Path hostileOut = work.resolve("hostile-out");
      DatasetResult hostile =
          workers
              .start(
                  "hostile-" + System.nanoTime(), DatasetRequest.of(uri(manifest), dir(hostileOut)))
              .getResult(3, TimeUnit.MINUTES, DatasetResult.class);

      assertThat(hostile.counts().listed()).isEqualTo(8);
      assertThat(hostile.counts().accepted()).isEqualTo(2);
      assertThat(hostile.counts().rejected()).isEqualTo(6);
      assertThat(hostile.counts().failed()).isZero();
      Map<String, String> details = rejectedDetails(hostileOut);
      assertThat(details.values())
          .anySatisfy(
              detail ->
                  assertThat(detail)
                      .startsWith(
                          "probe: outside_roots: image file:///dev/zero is outside the input"))
          .anySatisfy(
              detail ->
                  assertThat(detail)
                      .contains("outside_roots: image file://", "escape.jpg is outside"))
          .anySatisfy(
              detail ->
                  assertThat(detail).contains("not_a_file: file://", "pipe.jpg is not a regular"))
          .anySatisfy(
              detail ->
                  assertThat(detail)
                      .contains(
                          "too_large: file://",
                          "big.jpg is 3,000,000 bytes; the limit is 2,000,000"))
          .anySatisfy(
              detail ->
                  assertThat(detail)
                      .contains(
                          "line_too_long: manifest file://",
                          "line 6 is 3,000,0",
                          "maxManifestLineBytes"))
          .anySatisfy(
              detail ->
                  assertThat(detail)
                      .contains("field_too_long: manifest", "alt_text is 5,000 characters"));

      DatasetResult good =
          workers
              .start(
                  "after-hostile-" + System.nanoTime(),
                  DatasetRequest.of(dir(goodImages), dir(work.resolve("good-out"))))
              .getResult(2, TimeUnit.MINUTES, DatasetResult.class);
      assertThat(good.counts().accepted()).isEqualTo(1);
    }
  }

  private static void assertFailsAtOnce(
      InProcessWorkers workers, DatasetRequest request, String message) {
    assertThatThrownBy(
            () ->
                workers
                    .start("refused-" + System.nanoTime(), request)
                    .getResult(1, TimeUnit.MINUTES, DatasetResult.class))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .isInstanceOf(ApplicationFailure.class)
        .hasMessageContaining("invalid DatasetRequest: ")
        .hasMessageContaining(message);
  }

  /**
   * Two good images, and one of each hostile entry: a device, a link out of the roots, a named pipe
   * (whose reading would block forever), a file over the byte limit, a 3 MB alt text (a line over
   * the line limit, and a payload over Temporal's), and an alt text over its own limit.
   */
  private Path hostileManifest(Path data) throws IOException, InterruptedException {
    Files.write(data.resolve("good.jpg"), TestImages.photoJpeg());
    Files.write(data.resolve("good.png"), TestImages.photoPng());
    Files.createSymbolicLink(data.resolve("escape.jpg"), Path.of("/etc/passwd"));
    Process mkfifo = new ProcessBuilder("mkfifo", data.resolve("pipe.jpg").toString()).start();
    assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).isTrue();
    Files.write(data.resolve("big.jpg"), new byte[3_000_000]);
    List<String> lines = new ArrayList<>();
    lines.add(entry("good.jpg", null));
    lines.add(entry("/dev/zero", null));
    lines.add(entry("escape.jpg", null));
    lines.add(entry("pipe.jpg", null));
    lines.add(entry("big.jpg", null));
    lines.add(entry("good.jpg", "x".repeat(3_000_000)));
    lines.add(entry("good.jpg", "y".repeat(5_000)));
    lines.add(entry("good.png", "a photo"));
    return Files.writeString(data.resolve("manifest.jsonl"), String.join("\n", lines) + "\n");
  }

  private static String entry(String uri, String altText) throws IOException {
    Map<String, String> entry = new LinkedHashMap<>();
    entry.put("uri", uri);
    if (altText != null) {
      entry.put("alt_text", altText);
    }
    return JSON.writeValueAsString(entry);
  }

  /** Each rejected record's detail, by image id. */
  private static Map<String, String> rejectedDetails(Path out) throws IOException {
    Map<String, String> details = new LinkedHashMap<>();
    for (String line : Files.readAllLines(out.resolve("rejected.jsonl"))) {
      JsonNode record = JSON.readTree(line);
      assertThat(record.get("reason").asText()).isEqualTo("bad_image");
      details.put(record.get("id").asText(), record.get("detail").asText());
    }
    assertThat(details).hasSize(6);
    return details;
  }

  private static String dir(Path path) {
    return Locations.asDirectory(Locations.file(path)).toString();
  }

  private static String uri(Path path) {
    return Locations.file(path).toString();
  }
}
