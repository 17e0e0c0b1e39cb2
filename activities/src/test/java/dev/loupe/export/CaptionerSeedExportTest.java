package dev.loupe.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.ModelCall;
import dev.loupe.contract.Usage;
import dev.loupe.record.ItemRecord;
import dev.loupe.record.RecordMapper;
import dev.loupe.storage.LocalBlobStore;
import dev.loupe.storage.Locations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionerSeedExportTest {
  private static final String INSTRUCTION =
      "Analyze the image in a comprehensive and detailed manner.";

  @TempDir Path dir;
  private final ObjectMapper records = RecordMapper.create();
  private final CaptionerSeedExport export = new CaptionerSeedExport(new LocalBlobStore(), records);

  @Test
  void frontierCaptionsBecomeLlavaSamplesWithTheCaptionerInstruction() throws IOException {
    Path images = Files.createDirectories(dir.resolve("images/street"));
    Path run = Files.createDirectories(dir.resolve("seed-run"));
    writeSamples(
        run.resolve("samples.jsonl"),
        record("a".repeat(64), images.resolve("one.jpg"), "A red tram passes a bakery.", "openai"),
        record("b".repeat(64), images.resolve("two.jpg"), "A dog naps.", "captioner"),
        record("c".repeat(64), images.resolve("three.jpg"), null, "openai"));
    writeSamples(
        run.resolve("samples-00001.jsonl"),
        record("d".repeat(64), images.resolve("four.jpg"), "Snow on a bridge.", "gemini"));
    Files.writeString(run.resolve("samples-notes.txt"), "not a shard");
    Path out = dir.resolve("captioner-seed.json");

    CaptionerSeedExport.Result result =
        export.export(
            Locations.of(run.toString()),
            id -> INSTRUCTION,
            "captioner",
            dir.resolve("images"),
            Locations.of(out.toString()));

    assertThat(result).isEqualTo(new CaptionerSeedExport.Result(2, 1, 1));
    JsonNode samples = records.readTree(out.toFile());
    assertThat(samples).hasSize(2);
    JsonNode first = sampleWithId(samples, "a".repeat(64));
    assertThat(first.get("id").asText()).isEqualTo("a".repeat(64));
    assertThat(first.get("image").asText()).isEqualTo("street/one.jpg");
    assertThat(first.get("conversations")).hasSize(2);
    assertThat(first.at("/conversations/0/from").asText()).isEqualTo("human");
    assertThat(first.at("/conversations/0/value").asText()).isEqualTo("<image>\n" + INSTRUCTION);
    assertThat(first.at("/conversations/1/from").asText()).isEqualTo("gpt");
    assertThat(first.at("/conversations/1/value").asText())
        .isEqualTo("A red tram passes a bakery.");
    assertThat(sampleWithId(samples, "d".repeat(64)).get("image").asText())
        .isEqualTo("street/four.jpg");
  }

  private static JsonNode sampleWithId(JsonNode samples, String id) {
    for (JsonNode sample : samples) {
      if (sample.get("id").asText().equals(id)) {
        return sample;
      }
    }
    throw new AssertionError("no sample " + id + " in " + samples);
  }

  @Test
  void withoutAnImageRootImagesAreAbsolutePaths() throws IOException {
    Path run = Files.createDirectories(dir.resolve("run"));
    Path image = dir.resolve("img.png");
    writeSamples(run.resolve("samples.jsonl"), record("e".repeat(64), image, "Text.", "openai"));
    Path out = dir.resolve("seed.json");

    export.export(
        Locations.of(run.toString()),
        id -> INSTRUCTION,
        "captioner",
        null,
        Locations.of(out.toString()));

    assertThat(records.readTree(out.toFile()).get(0).get("image").asText())
        .isEqualTo(image.toAbsolutePath().toString());
  }

  @Test
  void aDirectoryWithoutSamplesIsNotASeedRun() {
    assertThatThrownBy(
            () ->
                export.export(
                    Locations.of(dir.toString()),
                    id -> INSTRUCTION,
                    "captioner",
                    null,
                    Locations.of(dir.resolve("x.json").toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no samples.jsonl");
  }

  @Test
  void imageOutsideTheImageRootIsAnError() throws IOException {
    Path run = Files.createDirectories(dir.resolve("run"));
    writeSamples(
        run.resolve("samples.jsonl"),
        record("f".repeat(64), dir.resolve("elsewhere/x.jpg"), "Caption.", "openai"));

    assertThatThrownBy(
            () ->
                export.export(
                    Locations.of(run.toString()),
                    id -> INSTRUCTION,
                    "captioner",
                    dir.resolve("images"),
                    Locations.of(dir.resolve("seed.json").toString())))
        .hasMessageContaining("is not under --image-root");
  }

  private void writeSamples(Path file, ItemRecord... lines) throws IOException {
    StringBuilder text = new StringBuilder();
    for (ItemRecord line : lines) {
      text.append(
              records
                  .writer()
                  .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                  .writeValueAsString(line))
          .append('\n');
    }
    Files.writeString(file, text);
  }

  private static ItemRecord record(String id, Path image, String caption, String endpoint) {
    ModelCall describe =
        new ModelCall("describe", endpoint, "model-x", "t", new Usage(10, 20, 0.001), 900);
    return new ItemRecord(
        id,
        "accepted",
        null,
        null,
        null,
        new ItemRecord.Image(Locations.file(image).toString(), 640, 480, "jpeg", 1234L),
        null,
        caption == null ? null : new ItemRecord.Caption(caption, "model-x", null),
        List.of(),
        new ItemRecord.UsageRecord(10, 20, 0.001),
        new ItemRecord.Provenance("ds", "run", "sharegpt4v", null, null, null, List.of(describe)));
  }
}
