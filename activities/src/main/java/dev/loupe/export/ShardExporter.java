package dev.loupe.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loupe.contract.ExportFormats;
import dev.loupe.contract.ShardOptions;
import dev.loupe.contract.ShardPlan;
import dev.loupe.contract.ShardPlanRequest;
import dev.loupe.contract.ShardRequest;
import dev.loupe.contract.ShardResult;
import dev.loupe.contract.ShardsFinishRequest;
import dev.loupe.contract.ShardsResult;
import dev.loupe.export.ShardImages.EmbeddedImage;
import dev.loupe.export.ShardImages.Skipped;
import dev.loupe.export.ShardPlanner.PlannedShard;
import dev.loupe.export.TrainingFormats.Conversation;
import dev.loupe.record.ItemRecord;
import dev.loupe.source.SourceReader;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.Locations;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The sharded formats (WebDataset tar, Parquet) of a finished output, in three steps that each run
 * as one activity: {@link #plan} decides which samples go in which shard; {@link #writeShard}
 * writes one shard whole (into a local file, then uploaded under its final name in one step: a
 * multipart upload on S3), so a retried shard replaces the earlier attempt and no sample is ever in
 * two shards; {@link #finish} gathers the skipped samples into {@code export-skipped.jsonl}, writes
 * the dataset card and removes shards an earlier, larger export left. Memory holds one image at a
 * time and the Parquet writer's row group.
 */
public final class ShardExporter {
  private final BlobStore blobs;
  private final ObjectMapper json;
  private final ShardPlanner planner;
  private final ShardImages images;
  private final SampleRecords lines;

  /** For the operator's own {@code loupe export}: images are read straight from storage. */
  public ShardExporter(BlobStore blobs, ObjectMapper recordMapper) {
    this(blobs, null, recordMapper);
  }

  /**
   * @param sources reads the images within the worker's input roots and byte cap
   */
  public ShardExporter(BlobStore blobs, SourceReader sources, ObjectMapper recordMapper) {
    this.blobs = blobs;
    this.json = recordMapper.copy().disable(SerializationFeature.INDENT_OUTPUT);
    this.planner = new ShardPlanner(blobs, recordMapper);
    this.images = new ShardImages(blobs, sources);
    this.lines = new SampleRecords(blobs, recordMapper);
  }

  /**
   * Plans the shards from the output's {@code samples*.jsonl}.
   *
   * @throws IllegalArgumentException when the output has no samples files or a format is unknown
   */
  public ShardPlan plan(ShardPlanRequest request) throws IOException {
    requireSharded(request.formats());
    return planner.plan(request);
  }

  /**
   * Writes one shard of the plan whole and replaces any earlier copy of it.
   *
   * @param heartbeat told the samples written so far
   */
  public ShardResult writeShard(ShardRequest request, LongConsumer heartbeat) throws IOException {
    requireSharded(List.of(request.format()));
    ShardLayout layout = new ShardLayout(Locations.of(request.output()));
    Conversation style = conversationOf(layout);
    ShardOptions options = ShardOptions.orDefault(request.options());
    String name = ShardLayout.shardName(request.format(), request.index());
    Path work = Files.createTempDirectory("loupe-shard-");
    try {
      Path file = work.resolve("shard");
      long written = 0;
      List<Map<String, Object>> skipped = new ArrayList<>();
      try (ShardWriter writer = open(request.format(), file)) {
        long[] count = {0};
        lines.forEachLine(
            layout.resolve(ShardLayout.inputName(request.index())),
            line -> {
              JsonNode entry = json.readTree(line);
              ItemRecord record = json.treeToValue(entry.get("record"), ItemRecord.class);
              ShardSample.Kind kind =
                  "caption".equals(entry.get("kind").asText())
                      ? ShardSample.Kind.CAPTION
                      : ShardSample.Kind.QA;
              List<ShardSample> samples = ShardSample.of(record, style, kind);
              EmbeddedImage image;
              try {
                image = images.load(record, options);
              } catch (Skipped reason) {
                for (ShardSample sample : samples) {
                  skipped.add(skippedLine(request.format(), name, sample, reason));
                }
                return;
              }
              for (ShardSample sample : samples) {
                writer.write(sample, image);
                if (++count[0] % 100 == 0) {
                  heartbeat.accept(count[0]);
                }
              }
            });
        written = count[0];
      }
      long bytes = Files.size(file);
      blobs.upload(layout.resolve(name), file);
      ShardResult result = new ShardResult(name, written, skipped.size(), bytes);
      Map<String, Object> done = new LinkedHashMap<>();
      done.put("result", result);
      done.put("skipped", skipped);
      blobs.write(
          layout.resolve(ShardLayout.resultName(request.format(), request.index())),
          json.writeValueAsBytes(done));
      return result;
    } finally {
      Exporter.deleteRecursively(work);
    }
  }

  /** Gathers the shards' results into the skipped list and the dataset card. */
  public ShardsResult finish(ShardsFinishRequest request) throws IOException {
    requireSharded(request.formats());
    ShardLayout layout = new ShardLayout(Locations.of(request.output()));
    List<PlannedShard> planned = planner.read(layout);
    Path work = Files.createTempFile("loupe-export-skipped-", ".jsonl");
    long samples = 0;
    long skipped = 0;
    Map<String, Map<String, Long>> written = new LinkedHashMap<>();
    try {
      try (Writer out = new BufferedWriter(Files.newBufferedWriter(work, StandardCharsets.UTF_8))) {
        for (String format : request.formats()) {
          for (PlannedShard shard : planned) {
            JsonNode done =
                json.readTree(
                    blobs.read(layout.resolve(ShardLayout.resultName(format, shard.index()))));
            ShardResult result = json.treeToValue(done.get("result"), ShardResult.class);
            samples += result.samples();
            skipped += result.skipped();
            written
                .computeIfAbsent(format, f -> new LinkedHashMap<>())
                .merge(shard.kind(), result.samples(), Long::sum);
            for (JsonNode line : done.get("skipped")) {
              out.write(json.writeValueAsString(line));
              out.write('\n');
            }
          }
          deleteStale(layout, format, planned.size());
        }
      }
      blobs.upload(layout.resolve(ShardLayout.SKIPPED), work);
      List<String> files = new ArrayList<>();
      for (String format : request.formats()) {
        files.add(ShardLayout.folder(format));
      }
      files.add(ShardLayout.SKIPPED);
      if (request.formats().contains(ExportFormats.PARQUET)) {
        blobs.write(
            layout.resolve(ShardLayout.CARD),
            DatasetCard.render(planned, written.get(ExportFormats.PARQUET), runManifest(layout))
                .getBytes(StandardCharsets.UTF_8));
        files.add(ShardLayout.CARD);
      }
      int formats = request.formats().size();
      return new ShardsResult(
          List.copyOf(files), planned.size(), samples / formats, skipped / formats);
    } finally {
      Files.deleteIfExists(work);
    }
  }

  private ShardWriter open(String format, Path file) throws IOException {
    return switch (format) {
      case ExportFormats.WEBDATASET -> new WebDatasetShardWriter(file, json);
      case ExportFormats.PARQUET -> new ParquetShardWriter(file, json);
      default -> throw new IllegalArgumentException("not a sharded format: " + format);
    };
  }

  /** Removes shards numbered past the plan: what an earlier, larger export of this output left. */
  private void deleteStale(ShardLayout layout, String format, int shards) throws IOException {
    URI folder = layout.resolve(ShardLayout.folder(format));
    String base = folder.toString();
    String after = null;
    while (true) {
      List<BlobStore.BlobInfo> page = blobs.list(folder, after, 1000);
      for (BlobStore.BlobInfo blob : page) {
        int index = ShardLayout.indexOf(blob.uri().toString().substring(base.length()));
        if (index >= shards) {
          blobs.delete(blob.uri());
        }
      }
      if (page.size() < 1000) {
        return;
      }
      after = page.get(page.size() - 1).uri().toString();
    }
  }

  private Conversation conversationOf(ShardLayout layout) throws IOException {
    JsonNode plan = json.readTree(blobs.read(layout.resolve(ShardLayout.PLAN)));
    return Conversation.of(plan.path("conversation").asText(null));
  }

  /** The run's manifest ({@code run.json}) for the card, or empty when there is none. */
  private JsonNode runManifest(ShardLayout layout) throws IOException {
    return blobs
        .readIfExists(layout.resolve(Exporter.RUN))
        .map(
            bytes -> {
              try {
                return json.readTree(bytes);
              } catch (IOException unreadable) {
                return json.createObjectNode();
              }
            })
        .orElseGet(json::createObjectNode);
  }

  private static Map<String, Object> skippedLine(
      String format, String shard, ShardSample sample, Skipped reason) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("id", sample.id());
    line.put("image_id", sample.record().id());
    line.put("image", sample.record().image().uri());
    line.put("format", format);
    line.put("shard", shard);
    line.put("reason", reason.reason());
    line.put("detail", reason.getMessage());
    return line;
  }

  private static void requireSharded(List<String> formats) {
    ExportFormats.problem(formats)
        .ifPresent(
            problem -> {
              throw new IllegalArgumentException(problem);
            });
    for (String format : formats) {
      if (!ExportFormats.SHARDED.contains(format)) {
        throw new IllegalArgumentException(
            format + " is not a sharded format (" + String.join(", ", ExportFormats.SHARDED) + ")");
      }
    }
  }
}
