package dev.loupe.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loupe.contract.ShardOptions;
import dev.loupe.contract.ShardPlan;
import dev.loupe.contract.ShardPlanRequest;
import dev.loupe.export.ShardSample.Kind;
import dev.loupe.export.TrainingFormats.Conversation;
import dev.loupe.record.ItemRecord;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.Locations;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides once which sample goes in which shard, so that every retry and resume writes each sample
 * into the same one shard. Streams the accepted records in {@code samples*.jsonl} order and fills
 * one open shard per subset (caption-only, QA) until it reaches the size or sample bound; a shard's
 * number is given when it opens. Writes each shard's records to {@code
 * .loupe/export/shards/shard-NNNNNN.jsonl} and the plan to {@code .loupe/export/plan.json}; the
 * same samples files give the same plan.
 */
final class ShardPlanner {
  private final BlobStore blobs;
  private final ObjectMapper json;
  private final SampleRecords records;

  ShardPlanner(BlobStore blobs, ObjectMapper recordMapper) {
    this.blobs = blobs;
    this.json = recordMapper.copy().disable(SerializationFeature.INDENT_OUTPUT);
    this.records = new SampleRecords(blobs, recordMapper);
  }

  /** One planned shard: its number, subset, samples and estimated bytes. */
  record PlannedShard(int index, String kind, long samples, long bytes) {}

  /**
   * @throws IllegalArgumentException when the output has no {@code samples.jsonl}
   */
  ShardPlan plan(ShardPlanRequest request) throws IOException {
    ShardLayout layout = new ShardLayout(Locations.of(request.output()));
    List<java.net.URI> files = records.files(layout.output());
    if (files.isEmpty()) {
      throw new IllegalArgumentException(
          request.output() + " has no samples.jsonl: is it the output of a finished run?");
    }
    ShardOptions options = ShardOptions.orDefault(request.options());
    Conversation style = Conversation.of(request.conversation());
    Path work = Files.createTempDirectory("loupe-shard-plan-");
    List<PlannedShard> planned = new ArrayList<>();
    Map<Kind, OpenShard> open = new EnumMap<>(Kind.class);
    int[] next = {0};
    try {
      records.forEach(
          files,
          record -> {
            for (Kind kind : Kind.values()) {
              List<ShardSample> samples = ShardSample.of(record, style, kind);
              if (samples.isEmpty()) {
                continue;
              }
              long bytes = estimatedBytes(samples, record, options);
              OpenShard shard = open.get(kind);
              if (shard != null
                  && (shard.samples + samples.size() > options.maxSamplesOrDefault()
                      || shard.bytes + bytes > options.maxBytesOrDefault())
                  && shard.samples > 0) {
                planned.add(shard.close(layout));
                shard = null;
              }
              if (shard == null) {
                shard = new OpenShard(next[0]++, kind, work);
                open.put(kind, shard);
              }
              shard.add(record, samples.size(), bytes);
            }
          });
      for (OpenShard shard : open.values()) {
        planned.add(shard.close(layout));
      }
      planned.sort(java.util.Comparator.comparingInt(PlannedShard::index));
      ShardPlan plan = summary(planned);
      Map<String, Object> file = new LinkedHashMap<>();
      file.put("conversation", style.name().toLowerCase(java.util.Locale.ROOT));
      file.put("formats", request.formats());
      file.put("options", options);
      file.put("plan", plan);
      file.put("shards", planned);
      blobs.write(
          layout.resolve(ShardLayout.PLAN),
          json.writerWithDefaultPrettyPrinter().writeValueAsBytes(file));
      return plan;
    } finally {
      for (OpenShard shard : open.values()) {
        shard.abandon();
      }
      Exporter.deleteRecursively(work);
    }
  }

  /** The planned shards, read back from {@code plan.json}. */
  List<PlannedShard> read(ShardLayout layout) throws IOException {
    var tree = json.readTree(blobs.read(layout.resolve(ShardLayout.PLAN)));
    List<PlannedShard> shards = new ArrayList<>();
    for (var shard : tree.get("shards")) {
      shards.add(json.treeToValue(shard, PlannedShard.class));
    }
    return shards;
  }

  private static ShardPlan summary(List<PlannedShard> planned) {
    long samples = planned.stream().mapToLong(PlannedShard::samples).sum();
    int captions = (int) planned.stream().filter(s -> s.kind().equals("caption")).count();
    return new ShardPlan(planned.size(), samples, captions, planned.size() - captions);
  }

  /**
   * What the samples add to a shard: the image once per sample (each sample embeds it), at its
   * recorded size or, when re-encoding, at most about a quarter byte per pixel of the long side's
   * square; plus the text.
   */
  private static long estimatedBytes(
      List<ShardSample> samples, ItemRecord record, ShardOptions options) {
    long image = record.image().sizeBytes() == null ? 0 : Math.max(0, record.image().sizeBytes());
    if (options.reencodes()) {
      long side = options.imageLongSide();
      image = Math.min(image == 0 ? side * side / 4 : image, side * side / 4);
    }
    long total = 0;
    for (ShardSample sample : samples) {
      total += image + 512;
      for (Map<String, String> message : sample.messages()) {
        total += message.get("content").length();
      }
    }
    return total;
  }

  /** A shard being filled: its records go to a local file, uploaded when it closes. */
  private final class OpenShard {
    private final int index;
    private final Kind kind;
    private final Path file;
    private final Writer writer;
    private long samples;
    private long bytes;

    OpenShard(int index, Kind kind, Path work) throws IOException {
      this.index = index;
      this.kind = kind;
      this.file = work.resolve("shard-" + index + ".jsonl");
      this.writer = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    }

    void add(ItemRecord record, int sampleCount, long sampleBytes) throws IOException {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("kind", kind.config());
      line.put("record", record);
      writer.write(json.writeValueAsString(line));
      writer.write('\n');
      samples += sampleCount;
      bytes += sampleBytes;
    }

    PlannedShard close(ShardLayout layout) throws IOException {
      writer.close();
      blobs.upload(layout.resolve(ShardLayout.inputName(index)), file);
      return new PlannedShard(index, kind.config(), samples, bytes);
    }

    void abandon() throws IOException {
      writer.close();
    }
  }
}
