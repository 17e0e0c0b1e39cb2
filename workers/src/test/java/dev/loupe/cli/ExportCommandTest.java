package dev.loupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.Check;
import dev.loupe.contract.QaPair;
import dev.loupe.image.ContentHash;
import dev.loupe.image.TestImages;
import dev.loupe.recipe.ProjectConfig;
import dev.loupe.record.ItemRecord;
import dev.loupe.record.RecordMapper;
import dev.loupe.storage.Locations;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExportCommandTest {
  @TempDir Path dir;
  private final ObjectMapper mapper = RecordMapper.create();

  /** A finished run's output: samples.jsonl over three images, a caption and a QA pair each. */
  private Path finishedRun() throws Exception {
    Path out = Files.createDirectories(dir.resolve("run"));
    StringBuilder lines = new StringBuilder();
    byte[][] images = {TestImages.photoJpeg(), TestImages.photoPng(), TestImages.webp()};
    String[] formats = {"jpeg", "png", "webp"};
    for (int i = 0; i < images.length; i++) {
      Path image = Files.write(dir.resolve("image-" + i + "." + formats[i]), images[i]);
      ItemRecord record =
          new ItemRecord(
              ContentHash.sha256Hex(images[i]),
              "accepted",
              null,
              null,
              null,
              new ItemRecord.Image(
                  Locations.file(image).toString(), 640, 480, formats[i], (long) images[i].length),
              null,
              new ItemRecord.Caption("Caption " + i + ".", "m", null),
              List.of(
                  new QaPair(
                      "Question " + i + "?",
                      null,
                      "Answer " + i + ".",
                      null,
                      Map.of("self_evaluation", new Check(true, "ok")),
                      true)),
              null,
              null);
      lines.append(mapper.writeValueAsString(record)).append('\n');
    }
    Files.writeString(out.resolve("samples.jsonl"), lines);
    return out;
  }

  private int export(StringWriter err, String... args) {
    CommandLine line = LoupeCommand.commandLine();
    line.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 3];
    all[0] = "export";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--config-dir";
    all[args.length + 2] = ProjectConfig.directory().toString();
    return line.execute(all);
  }

  @Test
  void writesTheRequestedFormatsIntoTheRunsOutput() throws Exception {
    Path run = finishedRun();
    StringWriter err = new StringWriter();

    int exit =
        export(
            err,
            run.toString(),
            "--format",
            "llava,parquet",
            "--format",
            "webdataset",
            "--shard-max-samples",
            "2");

    assertThat(exit).as(err.toString()).isZero();
    assertThat(mapper.readTree(run.resolve("llava.json").toFile())).hasSize(6);
    assertThat(run.resolve("sharegpt.jsonl")).doesNotExist();
    // Three caption samples in shards of 2 (0, 2) and three QA samples likewise (1, 3).
    assertThat(run.resolve("parquet/shard-000003.parquet")).exists();
    assertThat(run.resolve("webdataset/shard-000003.tar")).exists();
    assertThat(run.resolve("parquet/shard-000004.parquet")).doesNotExist();
    assertThat(Files.readString(run.resolve("README.md"))).contains("config_name: qa");
    assertThat(Files.readString(run.resolve("export-skipped.jsonl"))).isEmpty();
  }

  @Test
  void anUnknownFormatIsRefusedNamingTheSupportedOnes() throws Exception {
    Path run = finishedRun();
    StringWriter err = new StringWriter();

    int exit = export(err, run.toString(), "--format", "tfrecord");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .contains("unknown format \"tfrecord\"", "llava, sharegpt, webdataset, parquet");
    assertThat(run.resolve("webdataset")).doesNotExist();
  }
}
