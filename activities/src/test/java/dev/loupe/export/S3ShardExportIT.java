package dev.loupe.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.Check;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.ExportRequest;
import dev.loupe.contract.QaPair;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.ShardOptions;
import dev.loupe.contract.ShardPlan;
import dev.loupe.contract.ShardPlanRequest;
import dev.loupe.contract.ShardRequest;
import dev.loupe.contract.ShardsFinishRequest;
import dev.loupe.image.ContentHash;
import dev.loupe.record.ItemRecord;
import dev.loupe.record.ItemStore;
import dev.loupe.record.RecordMapper;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.S3BlobStoreForTests;
import dev.loupe.storage.S3Clients;
import dev.loupe.storage.S3Settings;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The sharded export to a real S3-compatible server (MinIO, started by {@code scripts/test}):
 * shards larger than a part arrive by multipart upload, and what lands in the bucket loads in the
 * readers.
 */
class S3ShardExportIT {
  private final ObjectMapper mapper = RecordMapper.create();
  @TempDir Path local;

  @Test
  void shardsLandInTheBucketByMultipartUploadAndLoadInTheReaders() throws Exception {
    String endpoint = System.getenv("LOUPE_TEST_S3_ENDPOINT");
    if (endpoint == null || endpoint.isBlank()) {
      fail("LOUPE_TEST_S3_ENDPOINT is not set: run with scripts/test or scripts/test-servers");
    }
    try (S3Client s3 = S3Clients.create(S3Settings.compatible(URI.create(endpoint)))) {
      String bucket = "loupe-shards-" + UUID.randomUUID();
      s3.createBucket(b -> b.bucket(bucket));
      BlobStore blobs = S3BlobStoreForTests.withSmallestParts(s3);
      ItemStore items = new ItemStore(blobs, mapper);
      String output = "s3://" + bucket + "/out/";
      int images = 8;
      for (int i = 0; i < images; i++) {
        byte[] bytes = noiseJpeg(i);
        URI image = URI.create("s3://" + bucket + "/images/" + i + ".jpg");
        blobs.write(image, bytes);
        items.write(output, accepted(ContentHash.sha256Hex(bytes), image, bytes.length));
      }
      new Exporter(
              items,
              blobs,
              new dev.loupe.source.SourceReader(
                  blobs,
                  dev.loupe.storage.AllowedRoots.of(
                      java.util.List.of("s3://" + bucket + "/"), java.util.List.of()),
                  64L << 20),
              mapper,
              new RunManifest(Map.of("loupe", "test")))
          .export(
              new ExportRequest(
                  output,
                  "s3-shards",
                  DatasetRequest.of("s3://" + bucket + "/images/", output),
                  plan(),
                  0,
                  1000,
                  "completed"),
              n -> {});
      ShardExporter shards = new ShardExporter(blobs, mapper);
      List<String> formats = List.of("webdataset", "parquet");
      ShardOptions options = ShardOptions.DEFAULT;
      ShardPlan planned = shards.plan(new ShardPlanRequest(output, null, formats, options));
      for (String format : formats) {
        for (int index = 0; index < planned.shards(); index++) {
          shards.writeShard(new ShardRequest(output, format, index, options), n -> {});
        }
      }
      shards.finish(new ShardsFinishRequest(output, formats, planned));

      var shard = s3.headObject(h -> h.bucket(bucket).key("out/webdataset/shard-000000.tar"));
      assertThat(shard.contentLength()).isGreaterThan(5L * 1024 * 1024);
      String etag = shard.eTag();
      assertThat(etag).as("a multipart object's ETag counts its parts").matches("\"?.*-\\d+\"?");
      for (S3Object object :
          s3.listObjectsV2Paginator(l -> l.bucket(bucket).prefix("out/")).contents()) {
        Path file = local.resolve(object.key().substring("out/".length()));
        Files.createDirectories(file.getParent());
        Files.write(
            file, s3.getObjectAsBytes(g -> g.bucket(bucket).key(object.key())).asByteArray());
      }
      JsonNode read = ExportReaders.read(local);
      assertThat(read.get("expected").asInt()).isEqualTo(2 * images);
      assertThat(read.at("/webdataset/samples").asInt()).isEqualTo(2 * images);
      assertThat(read.at("/parquet/rows").asInt()).isEqualTo(2 * images);
      assertThat(read.at("/parquet/configs/caption").asInt()).isEqualTo(images);
    }
  }

  /** A JPEG of noise, over a megabyte: shards of a few of them pass one 5 MiB part. */
  private static byte[] noiseJpeg(int seed) throws IOException {
    Random random = new Random(seed);
    BufferedImage image = new BufferedImage(1600, 1200, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        image.setRGB(x, y, random.nextInt(0x1000000));
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(image, "jpeg", bytes);
    return bytes.toByteArray();
  }

  private static ItemRecord accepted(String id, URI image, long size) {
    return new ItemRecord(
        id,
        "accepted",
        null,
        null,
        null,
        new ItemRecord.Image(image.toString(), 1600, 1200, "jpeg", size),
        null,
        new ItemRecord.Caption("Noise " + id.substring(0, 8) + ".", "m", null),
        List.of(
            new QaPair(
                "What is it?",
                null,
                "Noise.",
                null,
                Map.of("self_evaluation", new Check(true, "ok")),
                true)),
        new ItemRecord.UsageRecord(1, 1, 0),
        null);
  }

  private static RunPlan plan() {
    return new RunPlan(
        "allava",
        "f".repeat(64),
        512,
        1000,
        Map.of(
            "describe",
            new RunPlan.StagePlan(List.of("openai"), "m", List.of("t"), 1, 100, List.of(), null)),
        Map.of("t", "e".repeat(64)));
  }
}
