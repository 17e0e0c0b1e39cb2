package dev.loupe.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.Check;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.ExportFormats;
import dev.loupe.contract.ExportRequest;
import dev.loupe.contract.QaPair;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.ShardOptions;
import dev.loupe.contract.ShardPlan;
import dev.loupe.contract.ShardPlanRequest;
import dev.loupe.contract.ShardRequest;
import dev.loupe.contract.ShardsFinishRequest;
import dev.loupe.contract.ShardsResult;
import dev.loupe.image.ContentHash;
import dev.loupe.record.ItemRecord;
import dev.loupe.record.ItemStore;
import dev.loupe.record.RecordMapper;
import dev.loupe.storage.LocalBlobStore;
import dev.loupe.storage.Locations;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardExporterTest {
  private static final List<String> BOTH = List.of(ExportFormats.WEBDATASET, ExportFormats.PARQUET);

  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.NEVER)
  Path out;

  @TempDir Path images;

  private final ObjectMapper mapper = RecordMapper.create();
  private final LocalBlobStore blobs = new LocalBlobStore();
  private final ItemStore items = new ItemStore(blobs, mapper);
  private final ShardExporter shards = new ShardExporter(blobs, mapper);

  @Test
  void shardsLoadInWebdatasetAndDatasetsWithEverySharegptConversation() throws Exception {
    List<ItemRecord> records = run(9);
    ShardOptions options = new ShardOptions(null, 4, null, null);

    ShardsResult result = exportShards(BOTH, options);

    // 9 caption samples in shards of 4, 4, 1; 9 QA conversations likewise.
    assertThat(result.shards()).isEqualTo(6);
    assertThat(result.samples()).isEqualTo(18);
    assertThat(result.skipped()).isZero();
    assertThat(out.resolve("webdataset/shard-000005.tar")).exists();
    assertThat(out.resolve("parquet/shard-000005.parquet")).exists();
    assertThat(Files.readString(out.resolve("export-skipped.jsonl"))).isEmpty();

    JsonNode read = ExportReaders.read(out);
    assertThat(read.get("expected").asInt()).isEqualTo(2 * records.size());
    assertThat(read.at("/webdataset/samples").asInt()).isEqualTo(18);
    assertThat(read.at("/webdataset/kinds/caption").asInt()).isEqualTo(9);
    assertThat(read.at("/parquet/rows").asInt()).isEqualTo(18);
    assertThat(read.at("/parquet/pyarrow_rows").asInt()).isEqualTo(18);
    assertThat(read.at("/parquet/max_row_group_rows").asInt())
        .isLessThanOrEqualTo(ParquetShardWriter.ROWS_PER_GROUP);
    assertThat(read.at("/parquet/configs/default").asInt()).isEqualTo(18);
    assertThat(read.at("/parquet/configs/caption").asInt()).isEqualTo(9);
    assertThat(read.at("/parquet/configs/qa").asInt()).isEqualTo(9);

    String card = Files.readString(out.resolve("README.md"));
    assertThat(card).startsWith("---\n").contains("license: unknown", "config_name: caption");
    assertThat(card).contains("num_examples: 18", "`allava`", "| describe | m |");
  }

  @Test
  void vanishedAndChangedImagesAreLeftOutWithTheirReason() throws Exception {
    List<ItemRecord> records = run(4);
    Files.delete(Path.of(java.net.URI.create(records.get(1).image().uri())));
    Files.write(Path.of(java.net.URI.create(records.get(2).image().uri())), jpeg(99, 64));

    ShardsResult result = exportShards(BOTH, new ShardOptions(null, 3, null, null));

    assertThat(result.samples()).isEqualTo(4);
    assertThat(result.skipped()).isEqualTo(4);
    List<JsonNode> skipped = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("export-skipped.jsonl"))) {
      skipped.add(mapper.readTree(line));
    }
    // Two samples of each of the two images, once per format.
    assertThat(skipped).hasSize(8);
    assertThat(skipped)
        .filteredOn(line -> line.get("image_id").asText().equals(records.get(1).id()))
        .allSatisfy(
            line -> {
              assertThat(line.get("reason").asText()).isEqualTo("image_missing");
              assertThat(line.get("detail").asText()).contains("no longer exists");
            })
        .hasSize(4);
    assertThat(skipped)
        .filteredOn(line -> line.get("image_id").asText().equals(records.get(2).id()))
        .allSatisfy(
            line -> {
              assertThat(line.get("reason").asText()).isEqualTo("image_changed");
              assertThat(line.get("detail").asText()).contains(records.get(2).id());
            })
        .hasSize(4);

    JsonNode read = ExportReaders.read(out);
    assertThat(read.get("expected").asInt()).isEqualTo(4);
    assertThat(read.at("/webdataset/samples").asInt()).isEqualTo(4);
    assertThat(read.at("/parquet/rows").asInt()).isEqualTo(4);
  }

  @Test
  void aRetriedShardIsRewrittenWholeAndShardsOfALargerExportAreRemoved() throws Exception {
    run(5);
    String output = output();
    ShardOptions options = new ShardOptions(null, 2, null, null);
    ShardPlan plan =
        shards.plan(new ShardPlanRequest(output, null, List.of(ExportFormats.WEBDATASET), options));
    Files.createDirectories(out.resolve("webdataset"));
    Files.writeString(out.resolve("webdataset/shard-000099.tar"), "from an earlier export");

    for (int index = 0; index < plan.shards(); index++) {
      shards.writeShard(
          new ShardRequest(output, ExportFormats.WEBDATASET, index, options), n -> {});
    }
    byte[] first = Files.readAllBytes(out.resolve("webdataset/shard-000001.tar"));
    shards.writeShard(new ShardRequest(output, ExportFormats.WEBDATASET, 1, options), n -> {});
    shards.finish(new ShardsFinishRequest(output, List.of(ExportFormats.WEBDATASET), plan));

    assertThat(Files.readAllBytes(out.resolve("webdataset/shard-000001.tar"))).isEqualTo(first);
    assertThat(out.resolve("webdataset/shard-000099.tar")).doesNotExist();
    assertThat(out.resolve("README.md")).doesNotExist();
    List<String> keys = new ArrayList<>();
    for (int index = 0; index < plan.shards(); index++) {
      keys.addAll(tarNames(out.resolve(ShardLayout.shardName(ExportFormats.WEBDATASET, index))));
    }
    assertThat(keys).hasSize(2 * 10).doesNotHaveDuplicates();
  }

  @Test
  void reencodedImagesFitTheLongSideAndSmallerOnesKeepTheirBytes() throws Exception {
    List<ItemRecord> records = run(2);
    Files.write(
        Path.of(java.net.URI.create(records.get(0).image().uri())),
        jpeg(0, 64)); // smaller than the long side: kept as it is (rehashed below)
    List<ItemRecord> updated = List.of(withImage(records.get(0), jpeg(0, 64)), records.get(1));
    rewriteSamples(updated);

    exportShards(List.of(ExportFormats.WEBDATASET), new ShardOptions(null, null, 160, 80));

    Map<String, byte[]> members = tarMembers(out.resolve("webdataset/shard-000000.tar"));
    byte[] small = members.get(updated.get(0).id() + "-caption.jpg");
    assertThat(small).isEqualTo(jpeg(0, 64));
    BufferedImage large =
        ImageIO.read(new ByteArrayInputStream(members.get(updated.get(1).id() + "-caption.jpg")));
    assertThat(Math.max(large.getWidth(), large.getHeight())).isEqualTo(160);
  }

  @Test
  void anUnknownFormatIsRefusedNamingTheSupportedOnes() {
    assertThatThrownBy(
            () ->
                shards.plan(
                    new ShardPlanRequest(
                        output(), null, List.of("tfrecord"), ShardOptions.DEFAULT)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tfrecord")
        .hasMessageContaining("llava, sharegpt, webdataset, parquet");
  }

  private ShardsResult exportShards(List<String> formats, ShardOptions options) throws IOException {
    String output = output();
    ShardPlan plan = shards.plan(new ShardPlanRequest(output, null, formats, options));
    for (String format : formats) {
      for (int index = 0; index < plan.shards(); index++) {
        shards.writeShard(new ShardRequest(output, format, index, options), n -> {});
      }
    }
    return shards.finish(new ShardsFinishRequest(output, formats, plan));
  }

  /** A finished run over {@code count} images: each accepted with a caption and two QA pairs. */
  private List<ItemRecord> run(int count) throws IOException {
    List<ItemRecord> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] bytes = jpeg(i, 320);
      Path file = images.resolve("image-" + i + ".jpg");
      Files.write(file, bytes);
      ItemRecord record = accepted(ContentHash.sha256Hex(bytes), file, bytes.length);
      records.add(record);
      items.write(output(), record);
    }
    items.write(output(), rejected());
    new Exporter(items, blobs, sources(), mapper, new RunManifest(Map.of("loupe", "test")))
        .export(exportRequest(), n -> {});
    return records;
  }

  private void rewriteSamples(List<ItemRecord> records) throws IOException {
    Files.walk(out.resolve("items"))
        .sorted(java.util.Comparator.reverseOrder())
        .forEach(
            p -> {
              try {
                Files.delete(p);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    for (ItemRecord record : records) {
      items.write(output(), record);
    }
    new Exporter(items, blobs, sources(), mapper, new RunManifest(Map.of("loupe", "test")))
        .export(exportRequest(), n -> {});
  }

  private static ItemRecord withImage(ItemRecord record, byte[] bytes) {
    return accepted(
        ContentHash.sha256Hex(bytes),
        Path.of(java.net.URI.create(record.image().uri())),
        bytes.length);
  }

  private String output() {
    return Locations.asDirectory(Locations.file(out)).toString();
  }

  private ExportRequest exportRequest() {
    RunPlan plan =
        new RunPlan(
            "allava",
            "f".repeat(64),
            512,
            1000,
            Map.of(
                "describe",
                new RunPlan.StagePlan(
                    List.of("openai"), "m", List.of("t"), 1, 100, List.of(), null)),
            Map.of("t", "e".repeat(64)));
    return new ExportRequest(
        output(),
        "ds",
        DatasetRequest.of(Locations.file(images).toString(), output()),
        plan,
        0,
        5000,
        "completed");
  }

  private static ItemRecord accepted(String id, Path image, long size) {
    List<QaPair> qa = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      boolean pass = i < 2;
      qa.add(
          new QaPair(
              "Question " + i + " about " + id.substring(0, 6) + "? 图片里有什么",
              "reasoning",
              "Answer " + i + ".",
              null,
              Map.of("self_evaluation", new Check(pass, pass ? "ok" : "wrong")),
              pass));
    }
    return new ItemRecord(
        id,
        "accepted",
        null,
        null,
        null,
        new ItemRecord.Image(Locations.file(image).toString(), 320, 240, "jpeg", size),
        null,
        new ItemRecord.Caption("A caption of " + id.substring(0, 8) + ".", "m", null),
        qa,
        new ItemRecord.UsageRecord(200, 40, 0.02),
        new ItemRecord.Provenance("ds", "run", "allava", null, null, null, List.of()));
  }

  private static ItemRecord rejected() {
    return new ItemRecord(
        "b".repeat(64),
        "rejected",
        "self_evaluation",
        "wrong",
        null,
        new ItemRecord.Image("file:///images/gone.png", 800, 600, "png", 10L),
        null,
        null,
        null,
        new ItemRecord.UsageRecord(100, 20, 0.01),
        null);
  }

  /** A distinct JPEG for each {@code seed}, {@code width} × 3/4 of it. */
  static byte[] jpeg(int seed, int width) throws IOException {
    BufferedImage image = new BufferedImage(width, width * 3 / 4, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(new Color((seed * 53) % 256, (seed * 97) % 256, (seed * 31 + 80) % 256));
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    g.setColor(Color.WHITE);
    g.drawString("image " + seed, 10, 20);
    g.fillOval(seed % (width / 2), width / 8, width / 4, width / 4);
    g.dispose();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(image, "jpeg", bytes);
    return bytes.toByteArray();
  }

  private static List<String> tarNames(Path tar) throws IOException {
    return new ArrayList<>(tarMembers(tar).keySet());
  }

  private static Map<String, byte[]> tarMembers(Path tar) throws IOException {
    Map<String, byte[]> members = new java.util.LinkedHashMap<>();
    try (InputStream file = Files.newInputStream(tar);
        TarArchiveInputStream in = new TarArchiveInputStream(file)) {
      TarArchiveEntry entry;
      while ((entry = in.getNextEntry()) != null) {
        members.put(entry.getName(), in.readAllBytes());
      }
    }
    return members;
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private dev.loupe.source.SourceReader sources() {
    return new dev.loupe.source.SourceReader(
        blobs,
        dev.loupe.storage.AllowedRoots.of(
            java.util.List.of(System.getProperty("java.io.tmpdir")), java.util.List.of()),
        64L << 20);
  }
}
