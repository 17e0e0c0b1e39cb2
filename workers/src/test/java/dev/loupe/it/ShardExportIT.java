package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.bench.BenchConfig;
import dev.loupe.bench.FakeBenchEndpoint;
import dev.loupe.bench.ImageSet;
import dev.loupe.bench.Latency;
import dev.loupe.bench.LoupeCluster;
import dev.loupe.bench.LoupeWorker;
import dev.loupe.bench.TemporalDevServer;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.ShardOptions;
import dev.loupe.export.ExportReaders;
import dev.loupe.storage.Locations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dataset's own sharded export ({@code "formats": ["sharegpt", "webdataset", "parquet"]})
 * through {@code loupe worker} processes from the packaged jar (which holds no Hadoop) on a real
 * Temporal dev server, with the CPU worker killed (SIGKILL) while shards are being written: a new
 * CPU worker takes over, the shards of the dead one are retried and rewritten whole, and the
 * readers users run ({@code webdataset}, {@code datasets}, {@code pyarrow}) find every accepted
 * sample exactly once, every image decoding and every conversation equal to {@code sharegpt.jsonl}.
 */
class ShardExportIT {
  private static final String KEY = "sk-shards-it";
  private static final int IMAGES = 48;

  @TempDir static Path work;
  private static FakeBenchEndpoint fake;
  private static LoupeCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    fake = FakeBenchEndpoint.start(0, 7, KEY);
    fake.latency(new Latency.Uniform(5, 20));
    TemporalDevServer server =
        TemporalDevServer.start(
            TestServers.temporalCli(), work.resolve("temporal.db"), work.resolve("temporal.log"));
    cluster =
        new LoupeCluster(
            server,
            server.address(),
            LoupeProcess.JAR,
            work,
            new BenchConfig(fake.baseUrl(), "SHARDS_API_KEY", 16),
            KEY,
            "256m");
    cluster.startWorker("workflows");
    cluster.startWorker("api");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (fake != null) {
      fake.close();
    }
  }

  @Test
  void cpuWorkerKilledDuringTheExportEndsWithEverySampleOnceInEachFormat() throws Exception {
    LoupeWorker cpu = cluster.startWorker("cpu");
    Path images = work.resolve("images");
    ImageSet.write(images, IMAGES);
    Path out = work.resolve("out");
    DatasetRequest request =
        new DatasetRequest(
                Locations.asDirectory(Locations.file(images)).toString(),
                Locations.asDirectory(Locations.file(out)).toString(),
                BenchConfig.RECIPE,
                null,
                16,
                null,
                null)
            .withFormats(
                List.of("sharegpt", "webdataset", "parquet"),
                new ShardOptions(null, 2, null, null));
    String id = cluster.startDataset("shards-kill-" + System.nanoTime(), request);

    Path done = out.resolve(".loupe/export/done");
    await(() -> count(done) > 0, Duration.ofMinutes(3));
    cpu.kill();
    int doneAtKill = count(done);
    cluster.startWorker("cpu");
    DatasetResult result;
    try {
      result = cluster.await(id, Duration.ofMinutes(4));
    } catch (Exception e) {
      throw new AssertionError("the dataset did not complete: " + e + "\n" + cluster.logs(), e);
    }

    int accepted = (int) result.counts().accepted();
    assertThat(accepted).isEqualTo(IMAGES);
    // A caption and a QA conversation per image, two samples per shard, two formats.
    int tasks = 2 * accepted;
    assertThat(doneAtKill).as("shards written when the worker died").isLessThan(tasks);
    assertThat(count(done)).isEqualTo(tasks);
    assertThat(result.files()).contains("webdataset/", "parquet/", "README.md");
    JsonNode read = ExportReaders.read(out);
    assertThat(read.get("expected").asInt()).isEqualTo(2 * accepted);
    assertThat(read.at("/webdataset/samples").asInt()).isEqualTo(2 * accepted);
    assertThat(read.at("/webdataset/shards").asInt()).isEqualTo(accepted);
    assertThat(read.at("/parquet/rows").asInt()).isEqualTo(2 * accepted);
    assertThat(read.at("/parquet/configs/caption").asInt()).isEqualTo(accepted);
    assertThat(read.at("/parquet/configs/qa").asInt()).isEqualTo(accepted);
    assertThat(Files.readString(out.resolve("export-skipped.jsonl"))).isEmpty();
    System.out.printf(
        Locale.ROOT,
        "SHARDS kill -9 of the CPU worker after %d of %d shard tasks: %d samples per format,"
            + " each once%n",
        doneAtKill,
        tasks,
        2 * accepted);
  }

  private static int count(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(directory)) {
      return (int) files.filter(file -> file.toString().endsWith(".json")).count();
    }
  }

  private interface Condition {
    boolean holds() throws IOException;
  }

  private static void await(Condition condition, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + "\n" + cluster.logs());
      }
      Thread.sleep(5);
    }
  }
}
