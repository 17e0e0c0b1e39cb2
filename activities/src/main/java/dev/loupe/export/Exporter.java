package dev.loupe.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loupe.contract.ExportRequest;
import dev.loupe.contract.ExportResult;
import dev.loupe.contract.QaPair;
import dev.loupe.record.ItemRecord;
import dev.loupe.record.ItemStore;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.Locations;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes the output files of DESIGN §3 from the persisted records: streamed to local temporary
 * files record by record (memory does not grow with the dataset), then uploaded under the output.
 * Re-running it rewrites the same files from the same records.
 */
public final class Exporter {
  public static final String RUN = "run.json";
  public static final String SAMPLES = "samples.jsonl";
  public static final String REJECTED = "rejected.jsonl";
  public static final String FAILED = "failed.jsonl";
  public static final String LLAVA = "llava.json";
  public static final String SHAREGPT = "sharegpt.jsonl";
  public static final String STATS = "stats.json";

  private final ItemStore items;
  private final BlobStore blobs;
  private final ObjectMapper json;
  private final RunManifest manifest;

  public Exporter(
      ItemStore items, BlobStore blobs, ObjectMapper recordMapper, RunManifest manifest) {
    this.items = items;
    this.blobs = blobs;
    this.json = recordMapper.copy().disable(SerializationFeature.INDENT_OUTPUT);
    this.manifest = manifest;
  }

  /**
   * @param heartbeat told the number of records exported so far, every thousand
   */
  public ExportResult export(ExportRequest request, Consumer<Long> heartbeat) throws IOException {
    Path work = Files.createTempDirectory("loupe-export-");
    try {
      RunStats stats = new RunStats();
      try (Writer samples = writer(work, SAMPLES);
          Writer rejected = writer(work, REJECTED);
          Writer failed = writer(work, FAILED);
          Writer sharegpt = writer(work, SHAREGPT);
          OutputStream llavaOut = Files.newOutputStream(work.resolve(LLAVA));
          JsonGenerator llava = json.getFactory().createGenerator(llavaOut)) {
        llava.writeStartArray();
        long[] seen = {0};
        items.forEach(
            request.output(),
            record -> {
              stats.add(record);
              switch (record.imageStatus()) {
                case ACCEPTED -> {
                  writeLine(samples, record);
                  writeTraining(record, llava, sharegpt);
                  writeRejectedPairs(rejected, record);
                }
                case REJECTED -> writeLine(rejected, rejectedImage(record));
                case FAILED -> writeLine(failed, failedImage(record));
              }
              if (++seen[0] % 1000 == 0) {
                heartbeat.accept(seen[0]);
              }
            });
        llava.writeEndArray();
      }
      double wallSeconds = (request.finishedAtMillis() - request.startedAtMillis()) / 1000.0;
      Files.write(
          work.resolve(STATS),
          json.writerWithDefaultPrettyPrinter().writeValueAsBytes(stats.toJson(wallSeconds)));
      Files.write(
          work.resolve(RUN),
          json.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest.of(request)));
      List<String> files = List.of(RUN, SAMPLES, REJECTED, FAILED, LLAVA, SHAREGPT, STATS);
      URI output = Locations.asDirectory(Locations.of(request.output()));
      for (String file : files) {
        blobs.upload(Locations.resolve(output, file), work.resolve(file));
      }
      return new ExportResult(files, stats.counts());
    } finally {
      deleteRecursively(work);
    }
  }

  private void writeTraining(ItemRecord record, JsonGenerator llava, Writer sharegpt)
      throws IOException {
    String image = TrainingFormats.imagePath(record.image().uri());
    for (Map.Entry<String, List<TrainingFormats.Turn>> sample :
        TrainingFormats.conversations(record).entrySet()) {
      json.writeValue(llava, TrainingFormats.llava(sample.getKey(), image, sample.getValue()));
      writeLine(sharegpt, TrainingFormats.sharegpt(image, sample.getValue()));
    }
  }

  private void writeRejectedPairs(Writer rejected, ItemRecord record) throws IOException {
    for (QaPair pair : record.qaOrEmpty()) {
      if (!pair.accepted()) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", record.id());
        line.put("image", record.image().uri());
        line.put("kind", "qa");
        line.put("question", pair.question());
        pair.checks().entrySet().stream()
            .filter(check -> !check.getValue().pass())
            .findFirst()
            .ifPresent(
                check -> {
                  line.put("check", check.getKey());
                  line.put("reason", check.getKey());
                  line.put("detail", check.getValue().detail());
                });
        line.put("checks", pair.checks());
        writeLine(rejected, line);
      }
    }
  }

  private static Map<String, Object> rejectedImage(ItemRecord record) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("id", record.id());
    line.put("image", record.image() == null ? null : record.image().uri());
    line.put("kind", "image");
    line.put("check", record.reason());
    line.put("reason", record.reason());
    line.put("detail", record.detail());
    if (!record.qaOrEmpty().isEmpty()) {
      line.put("qa", record.qa());
    }
    return line;
  }

  private static Map<String, Object> failedImage(ItemRecord record) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("id", record.id());
    line.put("image", record.image() == null ? null : record.image().uri());
    line.put("failure_type", record.reason());
    line.put("message", record.detail());
    line.put("attempts", record.attempts());
    return line;
  }

  private void writeLine(Writer writer, Object value) throws IOException {
    writer.write(json.writeValueAsString(value));
    writer.write('\n');
  }

  private static Writer writer(Path dir, String name) throws IOException {
    return new BufferedWriter(
        Files.newBufferedWriter(dir.resolve(name), StandardCharsets.UTF_8), 1 << 16);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      List<Path> all = new ArrayList<>(paths.toList());
      java.util.Collections.reverse(all);
      for (Path path : all) {
        Files.deleteIfExists(path);
      }
    }
  }
}
