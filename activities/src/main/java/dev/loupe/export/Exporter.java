package dev.loupe.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loupe.contract.ExportFormats;
import dev.loupe.contract.ExportRequest;
import dev.loupe.contract.ExportResult;
import dev.loupe.contract.QaPair;
import dev.loupe.export.TrainingFormats.Conversation;
import dev.loupe.record.ItemRecord;
import dev.loupe.record.ItemStore;
import dev.loupe.source.SourceReader;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.Locations;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Writes the output files of DESIGN §3 from the persisted records: streamed to local temporary
 * files record by record (memory does not grow with the dataset), then uploaded under the output.
 * JSONL files are sharded past {@link ExportLimits}' bounds ({@code samples-00000.jsonl}, …) and
 * keep their plain names below them; files of an earlier export that this one did not write again
 * (shards of a list that shrank) are deleted. Re-running it rewrites the same files from the same
 * records. A perplexity check that keeps the lowest share of the run is decided here, over all the
 * records ({@link PerplexityCut}). {@code llava.json} and {@code sharegpt.jsonl} are written when
 * the request's formats name them (both by default); the sharded formats are {@link
 * ShardExporter}'s.
 */
public final class Exporter {
  public static final String RUN = "run.json";
  public static final String SAMPLES_BASE = "samples";
  public static final String REJECTED_BASE = "rejected";
  public static final String FAILED_BASE = "failed";
  public static final String SHAREGPT_BASE = "sharegpt";
  public static final String SAMPLES = "samples.jsonl";
  public static final String REJECTED = "rejected.jsonl";
  public static final String FAILED = "failed.jsonl";
  public static final String LLAVA = "llava.json";
  public static final String SHAREGPT = "sharegpt.jsonl";
  public static final String STATS = "stats.json";
  public static final String REPORT = "report.html";

  private static final List<String> JSONL_BASES =
      List.of(SAMPLES_BASE, REJECTED_BASE, FAILED_BASE, SHAREGPT_BASE);

  private final ItemStore items;
  private final BlobStore blobs;
  private final ObjectMapper json;
  private final RunManifest manifest;
  private final ExportLimits limits;
  private final Thumbnails thumbnails;

  public Exporter(
      ItemStore items,
      BlobStore blobs,
      SourceReader images,
      ObjectMapper recordMapper,
      RunManifest manifest) {
    this(items, blobs, images, recordMapper, manifest, ExportLimits.DEFAULT);
  }

  /**
   * @param images reads the images that the report shows as thumbnails, within the worker's roots
   *     and byte limit: a rejected record may name any location its request did
   */
  public Exporter(
      ItemStore items,
      BlobStore blobs,
      SourceReader images,
      ObjectMapper recordMapper,
      RunManifest manifest,
      ExportLimits limits) {
    this.items = items;
    this.blobs = blobs;
    this.json = recordMapper.copy().disable(SerializationFeature.INDENT_OUTPUT);
    this.manifest = manifest;
    this.limits = limits;
    this.thumbnails = new Thumbnails(images, limits.thumbnailLongSide());
  }

  /**
   * @param heartbeat told the number of records exported so far, every thousand
   */
  public ExportResult export(ExportRequest request, Consumer<Long> heartbeat) throws IOException {
    Path work = Files.createTempDirectory("loupe-export-");
    try {
      Conversation conversation =
          Conversation.of(request.request() == null ? null : request.request().conversation());
      List<String> formats =
          request.request() == null ? ExportFormats.DEFAULT : request.request().formatsOrDefault();
      boolean writeLlava = formats.contains(ExportFormats.LLAVA);
      boolean writeSharegpt = formats.contains(ExportFormats.SHAREGPT);
      RunStats stats = new RunStats();
      ReportCollector report = new ReportCollector(limits);
      PerplexityCut cut = PerplexityCut.of(request.plan());
      if (cut != null) {
        items.forEach(request.output(), cut::add);
      }
      List<String> files = new ArrayList<>();
      files.add(RUN);
      ShardedJsonl samples = new ShardedJsonl(work, SAMPLES_BASE, limits);
      ShardedJsonl rejected = new ShardedJsonl(work, REJECTED_BASE, limits);
      ShardedJsonl failed = new ShardedJsonl(work, FAILED_BASE, limits);
      ShardedJsonl sharegpt = new ShardedJsonl(work, SHAREGPT_BASE, limits);
      try (samples;
          rejected;
          failed;
          sharegpt;
          OutputStream llavaOut = Files.newOutputStream(work.resolve(LLAVA));
          JsonGenerator llava = json.getFactory().createGenerator(llavaOut)) {
        llava.writeStartArray();
        long[] seen = {0};
        items.forEach(
            request.output(),
            stored -> {
              ItemRecord record = cut == null ? stored : cut.apply(stored);
              stats.add(record);
              report.add(record);
              switch (record.imageStatus()) {
                case ACCEPTED -> {
                  samples.write(json.writeValueAsString(record));
                  writeTraining(
                      record,
                      conversation,
                      writeLlava ? llava : null,
                      writeSharegpt ? sharegpt : null);
                  writeRejectedPairs(rejected, record);
                }
                case REJECTED -> rejected.write(json.writeValueAsString(rejectedImage(record)));
                case FAILED -> failed.write(json.writeValueAsString(failedImage(record)));
              }
              if (++seen[0] % 1000 == 0) {
                heartbeat.accept(seen[0]);
              }
            });
        llava.writeEndArray();
      }
      files.addAll(samples.files());
      files.addAll(rejected.files());
      files.addAll(failed.files());
      if (writeLlava) {
        files.add(LLAVA);
      }
      if (writeSharegpt) {
        files.addAll(sharegpt.files());
      }
      files.add(STATS);
      files.add(REPORT);
      double wallSeconds = (request.finishedAtMillis() - request.startedAtMillis()) / 1000.0;
      Map<String, Object> statsJson = stats.toJson(wallSeconds);
      if (cut != null) {
        statsJson.put("perplexity_cut", cut.toJson());
      }
      Files.write(
          work.resolve(STATS), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(statsJson));
      Map<String, Object> run = manifest.of(request);
      run.put("files", files);
      Files.write(work.resolve(RUN), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(run));
      Files.writeString(
          work.resolve(REPORT),
          ReportPage.render(reportOf(request, stats, report, files, wallSeconds)),
          StandardCharsets.UTF_8);

      URI output = Locations.asDirectory(Locations.of(request.output()));
      for (String file : files) {
        blobs.upload(Locations.resolve(output, file), work.resolve(file));
      }
      deleteStaleShards(output, files);
      return new ExportResult(List.copyOf(files), stats.counts(), report.failedSample());
    } finally {
      deleteRecursively(work);
    }
  }

  private ReportPage.Report reportOf(
      ExportRequest request,
      RunStats stats,
      ReportCollector collected,
      List<String> files,
      double wallSeconds) {
    return new ReportPage.Report(
        request.datasetId(),
        request.status(),
        request.output(),
        request.plan() == null ? "" : request.plan().recipe(),
        Instant.ofEpochMilli(request.startedAtMillis()).toString(),
        Instant.ofEpochMilli(request.finishedAtMillis()).toString(),
        wallSeconds,
        stats.counts(),
        stats.rejectedByReason(),
        stats.stages(),
        stats.lanes(),
        stats.savedUsd(),
        collected.gallery(thumbnails),
        collected.rejected(thumbnails),
        collected.failed(),
        files);
  }

  /** Removes JSONL files of the same bases that this export did not write (e.g. old shards). */
  private void deleteStaleShards(URI output, List<String> written) throws IOException {
    Set<String> keep = new HashSet<>(written);
    for (String base : JSONL_BASES) {
      List<BlobStore.BlobInfo> listed = blobs.list(Locations.resolve(output, base), null, 1000);
      for (BlobStore.BlobInfo blob : listed) {
        String name = blob.uri().toString().substring(output.toString().length());
        if (ShardedJsonl.isFileOf(base, name) && !keep.contains(name)) {
          blobs.delete(blob.uri());
        }
      }
    }
  }

  private void writeTraining(
      ItemRecord record, Conversation conversation, JsonGenerator llava, ShardedJsonl sharegpt)
      throws IOException {
    String image = TrainingFormats.imagePath(record.image().uri());
    for (Map.Entry<String, TrainingFormats.Sample> sample :
        TrainingFormats.samples(record, conversation).entrySet()) {
      List<TrainingFormats.Turn> turns = sample.getValue().turns();
      String task = sample.getValue().task();
      if (llava != null) {
        json.writeValue(llava, TrainingFormats.llava(sample.getKey(), image, turns, task));
      }
      if (sharegpt != null) {
        sharegpt.write(json.writeValueAsString(TrainingFormats.sharegpt(image, turns, task)));
      }
    }
  }

  private void writeRejectedPairs(ShardedJsonl rejected, ItemRecord record) throws IOException {
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
        rejected.write(json.writeValueAsString(line));
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

  /** Deletes a work directory and everything in it. */
  static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      List<Path> all = new ArrayList<>(paths.toList());
      java.util.Collections.reverse(all);
      for (Path path : all) {
        Files.deleteIfExists(path);
      }
    }
  }
}
