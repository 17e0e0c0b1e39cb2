package dev.loupe.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loupe.contract.Check;
import dev.loupe.contract.QaPair;
import dev.loupe.contract.ShardExportRequest;
import dev.loupe.contract.ShardExportWorkflow;
import dev.loupe.contract.ShardOptions;
import dev.loupe.contract.ShardsResult;
import dev.loupe.contract.TaskQueues;
import dev.loupe.image.ContentHash;
import dev.loupe.record.ItemRecord;
import dev.loupe.record.RecordMapper;
import dev.loupe.storage.Locations;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * {@code scripts/bench export}: the sharded export (WebDataset and Parquet) of a finished output of
 * {@code --images} accepted images (a caption and a QA conversation each, so two samples per image
 * per format) by one {@code loupe worker --pool cpu} process, driven by a {@code
 * ShardExportWorkflow} on a workflows worker. Images are {@code --kind bars} (BenchImages' 512×512
 * PNGs of about a kilobyte), {@code tiny} (64×48 JPEGs, quick to make by the hundred thousand: the
 * per-sample cost) or {@code photos} (640×480 noise JPEGs of about 200 KB: the bytes-per-second
 * cost). Prints samples/s and MB/s of the CPU worker, its CPU time, and its resident memory sampled
 * as the export goes (flat means bounded).
 */
final class ShardExportBenchmark {
  private final Bench bench;

  ShardExportBenchmark(Bench bench) {
    this.bench = bench;
  }

  void run() throws Exception {
    int images = bench.intOption("images", 100_000);
    String kind = bench.option("kind", "bars");
    int maxSamples = bench.intOption("shard-samples", 10_000);
    Path base = bench.work().resolve("export");
    Path source =
        switch (kind) {
          case "photos" -> photos(base.resolve("photos-" + images), images, 640, 480, true);
          case "tiny" -> photos(base.resolve("tiny-" + images), images, 64, 48, false);
          default -> BenchImages.ensure(base.resolve("images-" + images), images);
        };
    Path out = Bench.freshDirectory(base.resolve("out-" + kind + "-" + images));
    long written = writeSamples(source, out);
    System.err.printf("bench: samples.jsonl of %d accepted images written%n", written);

    BenchConfig config = new BenchConfig("http://127.0.0.1:9/v1", "BENCH_API_KEY", 1);
    try (TemporalTestServer server = bench.devServer("export");
        LoupeCluster cluster = bench.cluster("export", server, config)) {
      cluster.startWorker("workflows");
      LoupeWorker cpu = cluster.startWorker("cpu");
      long cpuBefore = cpu.cpuMillis();
      WorkflowClient client = cluster.client();
      ShardExportWorkflow workflow =
          client.newWorkflowStub(
              ShardExportWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId("bench-export-" + System.currentTimeMillis())
                  .setTaskQueue(TaskQueues.WORKFLOWS)
                  .build());
      ShardOptions options = new ShardOptions(null, maxSamples, null, null);
      long started = System.nanoTime();
      CompletableFuture<ShardsResult> result =
          WorkflowClient.execute(
              workflow::export,
              new ShardExportRequest(
                  Locations.asDirectory(Locations.file(out)).toString(),
                  null,
                  List.of("webdataset", "parquet"),
                  options,
                  null,
                  0));
      List<String> rss = new ArrayList<>();
      while (!result.isDone()) {
        Thread.sleep(2000);
        rss.add(String.format(Locale.ROOT, "%.0f", ProcStats.rssKib(cpu.pid()) / 1024.0));
      }
      ShardsResult shards = result.get(1, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - started) / 1e9;
      long bytes = folderBytes(out.resolve("webdataset")) + folderBytes(out.resolve("parquet"));
      long samples = 2 * shards.samples();
      System.out.printf(
          Locale.ROOT,
          "EXPORT %s: %d images, %d samples per format, %d shards per format, %d skipped%n",
          kind,
          images,
          shards.samples(),
          shards.shards(),
          shards.skipped());
      System.out.printf(
          Locale.ROOT,
          "EXPORT one CPU worker (heap %s): %.1f s, %.0f samples/s, %.1f MB/s written (%.0f MB of"
              + " shards), CPU %.0f s, peak RSS %.0f MiB%n",
          bench.option("heap", "512m"),
          seconds,
          samples / seconds,
          bytes / 1e6 / seconds,
          bytes / 1e6,
          (cpu.cpuMillis() - cpuBefore) / 1000.0,
          cpu.peakRssMib());
      System.out.println("EXPORT CPU worker RSS every 2 s (MiB): " + String.join(" ", rss));
    }
  }

  /** One accepted record per image, as a finished run's {@code samples.jsonl} holds it. */
  private static long writeSamples(Path images, Path out) throws IOException {
    ObjectMapper json = RecordMapper.create().disable(SerializationFeature.INDENT_OUTPUT);
    List<Path> files;
    try (Stream<Path> listed = Files.list(images)) {
      files = listed.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
    }
    long count = 0;
    try (BufferedWriter lines =
        Files.newBufferedWriter(out.resolve("samples.jsonl"), StandardCharsets.UTF_8)) {
      for (Path file : files) {
        byte[] bytes = Files.readAllBytes(file);
        String id = ContentHash.sha256Hex(bytes);
        boolean png = file.toString().endsWith(".png");
        ItemRecord record =
            new ItemRecord(
                id,
                "accepted",
                null,
                null,
                null,
                new ItemRecord.Image(
                    Locations.file(file).toString(),
                    null,
                    null,
                    png ? "png" : "jpeg",
                    (long) bytes.length),
                null,
                new ItemRecord.Caption(
                    "A detailed caption of image " + id.substring(0, 12) + ". ".repeat(40),
                    "bench-model",
                    null),
                List.of(
                    new QaPair(
                        "What does the bar code of this image encode, and how can you tell?",
                        null,
                        "It encodes the image's index in binary, one bar per set bit. ".repeat(6),
                        null,
                        Map.of("self_evaluation", new Check(true, "ok")),
                        true)),
                new ItemRecord.UsageRecord(100, 300, 0.001),
                null);
        lines.write(json.writeValueAsString(record));
        lines.write('\n');
        count++;
      }
    }
    return count;
  }

  /** Distinct JPEGs: noise, or a flat colour with the index's bits as pixels. */
  static Path photos(Path dir, int count, int width, int height, boolean noise) throws IOException {
    Path done = dir.resolve(".complete-" + count);
    if (Files.exists(done)) {
      return dir;
    }
    Files.createDirectories(dir);
    IntStream.range(0, count)
        .parallel()
        .forEach(
            index -> {
              Random random = new Random(index);
              BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
              for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                  int bit = y * width + x;
                  int flat = bit < 32 && (index >> bit & 1) == 1 ? 0 : 0xe0c0a0;
                  image.setRGB(x, y, noise ? random.nextInt(0x1000000) : flat);
                }
              }
              try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ImageIO.write(image, "jpeg", bytes);
                Files.write(
                    dir.resolve(String.format("photo-%07d.jpg", index)), bytes.toByteArray());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    Files.createFile(done);
    return dir;
  }

  private static long folderBytes(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
