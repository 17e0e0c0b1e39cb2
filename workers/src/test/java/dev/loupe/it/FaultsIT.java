package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.bench.BenchConfig;
import dev.loupe.bench.FakeBenchEndpoint;
import dev.loupe.bench.Faults;
import dev.loupe.bench.Histories;
import dev.loupe.bench.ImageSet;
import dev.loupe.bench.Latency;
import dev.loupe.bench.LoupeCluster;
import dev.loupe.bench.LoupeWorker;
import dev.loupe.bench.OutputCheck;
import dev.loupe.bench.TemporalTestServer;
import dev.loupe.contract.DatasetResult;
import dev.loupe.image.TestImages;
import dev.loupe.image.TestScenes;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault suite (short form, run in CI): the benchmark recipe (describe → ask → answer) through
 * {@code loupe worker} processes (one per pool: workflows, CPU, API; each with a 256 MiB heap) on a
 * dedicated Temporal dev server with a SQLite file, against {@link FakeBenchEndpoint}. Each fault
 * asserts that the run completes, that every image appears exactly once as accepted, rejected or
 * failed with a reason, that no sample is doubled, that the calls paid twice are at most the calls
 * in flight at the fault, and that worker memory stays bounded; the last test checks that the API
 * key is nowhere in history, logs or outputs. Each prints a {@code FAULT} line with its figures
 * (docs/reliability.md).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsIT {
  private static final String KEY = "sk-faults-KEEPTHISSECRET-4242424242";
  private static final int CONCURRENCY = 8;
  private static final long MEMORY_BOUND_MIB = 768;
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

  @TempDir static Path work;
  private static FakeBenchEndpoint fake;
  private static LoupeCluster cluster;
  private static LoupeWorker workflows;
  private static LoupeWorker cpu;
  private static LoupeWorker api;
  private static final List<Path> outputs = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    fake = FakeBenchEndpoint.start(0, 11, KEY);
    TemporalTestServer server = TestServers.ownTemporalServer(work);
    cluster =
        new LoupeCluster(
            server,
            server.address(),
            LoupeProcess.JAR,
            work,
            new BenchConfig(fake.baseUrl(), "FAULTS_API_KEY", CONCURRENCY).withTimeout(4),
            KEY,
            "256m");
    workflows = cluster.startWorker("workflows");
    cpu = cluster.startWorker("cpu");
    api = cluster.startWorker("api");
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

  @BeforeEach
  void normalEndpoint() {
    fake.latency(new Latency.Uniform(200, 600)).faults(Faults.NONE);
    fake.ledger().reset();
  }

  @Test
  @Order(1)
  void apiWorkerKilledMidRunLosesNothingAndRepaysAtMostItsCallsInFlight() throws Exception {
    Path images = images("kill-api", 30);
    String id = start("kill-api", images);
    awaitPaid(30);
    int fakeInFlight = fake.ledger().inFlight();
    api.kill();
    int started = startedActivities(id, images);
    api = cluster.startWorker("api");

    Run run = finish("kill-api", id, images);

    assertCompleteAndAccepted(run, 30);
    assertThat(fake.ledger().repaid()).isLessThanOrEqualTo(started);
    report(run, "in flight at the kill: %d (Temporal), %d (endpoint)", started, fakeInFlight);
  }

  @Test
  @Order(2)
  void workflowWorkerKilledMidRunLosesNothingAndRepaysNothing() throws Exception {
    Path images = images("kill-workflows", 30);
    String id = start("kill-workflows", images);
    awaitPaid(30);
    int started = startedActivities(id, images);
    workflows.kill();
    workflows = cluster.startWorker("workflows");

    Run run = finish("kill-workflows", id, images);

    assertCompleteAndAccepted(run, 30);
    // The API worker's calls were not interrupted: they complete into the server as usual.
    assertThat(fake.ledger().repaid()).isZero();
    report(run, "activities in flight at the kill: %d", started);
  }

  @Test
  @Order(3)
  void devServerCrashAndRestartMidRunLosesNothing() throws Exception {
    Path images = images("restart-server", 30);
    String id = start("restart-server", images);
    awaitPaid(30);
    int started = startedActivities(id, images);
    int fakeInFlight = fake.ledger().inFlight();
    long down = System.nanoTime();
    cluster.server().kill();
    Thread.sleep(2000);
    cluster.server().restart();
    double downSeconds = (System.nanoTime() - down) / 1e9;
    cluster.connect();

    Run run = finish("restart-server", id, images);

    assertCompleteAndAccepted(run, 30);
    assertThat(fake.ledger().repaid()).isLessThanOrEqualTo(Math.max(started, fakeInFlight));
    report(
        run,
        "%s down %.1f s (SIGKILL, restart on the same database); in flight: %d (Temporal),"
            + " %d (endpoint)",
        cluster.server().description(),
        downSeconds,
        started,
        fakeInFlight);
  }

  @Test
  @Order(4)
  void rateLimitStormIsRiddenOutWithoutPayingTwice() throws Exception {
    Path images = images("429-storm", 20);
    fake.rateLimitStorm(Duration.ofSeconds(6), Duration.ofSeconds(2));
    String id = start("429-storm", images);

    Run run = finish("429-storm", id, images);

    assertCompleteAndAccepted(run, 20);
    assertThat(fake.ledger().status(429)).isPositive();
    assertThat(fake.ledger().repaid()).isZero();
    report(run, "every request for 6 s answered 429 with Retry-After 2 s");
  }

  @Test
  @Order(5)
  void serverErrorBurstsAreRetried() throws Exception {
    Path images = images("5xx", 20);
    fake.faults(new Faults(0.1, 0, 0, 0, 0));
    fake.serverErrorBurst(25);
    String id = start("5xx", images);

    Run run = finish("5xx", id, images);

    assertCompleteAndAccepted(run, 20);
    assertThat(fake.ledger().status(500) + fake.ledger().status(503)).isGreaterThanOrEqualTo(25);
    assertThat(fake.ledger().repaid()).isZero();
    report(run, "a burst of 25 × 503, then 10 %% of requests 500/503");
  }

  @Test
  @Order(6)
  void hungCallsTimeOutAndAreRetried() throws Exception {
    Path images = images("timeouts", 16);
    fake.faults(new Faults(0, 0, 0, 0, 0.1));
    String id = start("timeouts", images);

    Run run = finish("timeouts", id, images);

    assertCompleteAndAccepted(run, 16);
    assertThat(fake.injected(Faults.Kind.HANG)).isPositive();
    assertThat(fake.ledger().repaid()).isZero();
    report(run, "10 %% of requests never answered; client timeout 4 s");
  }

  @Test
  @Order(7)
  void truncatedAndMalformedBodiesAreRetriedThenRejected() throws Exception {
    Path images = images("broken-bodies", 20);
    fake.faults(new Faults(0, 0.1, 0.1, 0, 0));
    String id = start("broken-bodies", images);

    Run run = finish("broken-bodies", id, images);

    assertThat(run.check().problems()).isEmpty();
    assertThat(run.check().failed()).isEmpty();
    assertThat(run.check().rejected().keySet()).isSubsetOf("malformed_output");
    long broken = fake.injected(Faults.Kind.TRUNCATED) + fake.injected(Faults.Kind.MALFORMED);
    assertThat(broken).isPositive();
    // Only the answers the fault broke are paid again.
    assertThat(fake.ledger().repaid()).isLessThanOrEqualTo(broken);
    report(
        run,
        "10 %% truncated bodies, 10 %% malformed (non-JSON or cut-off JSON); %d broken",
        broken);
  }

  @Test
  @Order(8)
  void refusalsRejectTheImageWithTheReason() throws Exception {
    Path images = images("refusals", 20);
    fake.faults(new Faults(0, 0, 0, 0.2, 0));
    String id = start("refusals", images);

    Run run = finish("refusals", id, images);

    assertThat(run.check().problems()).isEmpty();
    assertThat(run.check().failed()).isEmpty();
    // A refused describe or ask rejects the image as refused; a refused answer fails its QA pair's
    // "answer" check (detail "refused: …"), which rejects the image under that check's name.
    assertThat(run.check().rejected().keySet()).isNotEmpty().isSubsetOf("refused", "answer");
    assertThat(run.check().accepted() + run.check().rejectedTotal()).isEqualTo(20);
    assertThat(fake.ledger().repaid()).isZero();
    report(run, "20 %% of answers are refusals");
  }

  @Test
  @Order(9)
  void badImagesAreRejectedWithTheirReasonAndNeverCrashAWorker() throws Exception {
    Path images = images("bad-images", 6);
    Files.write(images.resolve("corrupt.png"), TestImages.randomBytes());
    Files.write(images.resolve("truncated.png"), TestImages.truncatedPng());
    Files.write(images.resolve("truncated.jpg"), TestImages.truncatedJpeg());
    Files.write(images.resolve("zero-byte.png"), TestImages.empty());
    Files.write(images.resolve("notes.png"), TestImages.textFile());
    Files.write(images.resolve("tiny.png"), TestImages.png(TestScenes.barChart(48, 32)));
    Files.write(images.resolve("bomb.png"), TestImages.pixelBombPng());
    String id = start("bad-images", images);

    Run run = finish("bad-images", id, images);

    assertThat(run.check().problems()).isEmpty();
    assertThat(run.check().accepted()).isEqualTo(6);
    assertThat(run.check().rejected()).containsEntry("bad_image", 7);
    assertThat(workflows.isAlive()).isTrue();
    assertThat(cpu.isAlive()).isTrue();
    assertThat(api.isAlive()).isTrue();
    report(run, "corrupt, 2 truncated, zero-byte, non-image, tiny, 40000×40000 bomb + 6 good");
  }

  @Test
  @Order(10)
  void apiKeyIsInNoHistoryLogOrOutput() throws Exception {
    assertThat(Histories.containing(cluster.client(), KEY)).isEmpty();
    assertThat(cluster.logs()).doesNotContain(KEY);
    for (Path out : outputs) {
      try (Stream<Path> files = Files.walk(out)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
              .as(file.toString())
              .doesNotContain(KEY);
        }
      }
    }
    byte[] database = cluster.server().databaseDump();
    assertThat(database.length).isGreaterThan(1000);
    assertThat(new String(database, StandardCharsets.ISO_8859_1)).doesNotContain(KEY);
    System.out.printf(
        Locale.ROOT,
        "FAULT api-key: not in %d histories, %d output directories, the workers' logs or"
            + " the database of the %s%n",
        cluster.client().listExecutions("").count(),
        outputs.size(),
        cluster.server().description());
  }

  // ---- helpers ----

  private record Run(
      String name, OutputCheck check, double seconds, Map<String, Integer> timeouts) {}

  private long startedAt;

  private static Path images(String name, int count) throws IOException {
    Path dir = work.resolve("images-" + name);
    ImageSet.write(dir, count);
    // Each scenario's images differ, so the endpoint's ledger never confuses two scenarios.
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".png")).toList()) {
        byte[] bytes = Files.readAllBytes(file);
        byte[] tagged = new byte[bytes.length + name.length()];
        System.arraycopy(bytes, 0, tagged, 0, bytes.length);
        System.arraycopy(
            name.getBytes(StandardCharsets.UTF_8), 0, tagged, bytes.length, name.length());
        Files.write(file, tagged);
      }
    }
    Files.deleteIfExists(dir.resolve(".complete-" + count));
    return dir;
  }

  private String start(String name, Path images) {
    startedAt = System.nanoTime();
    Path out = work.resolve("out-" + name);
    outputs.add(out);
    return cluster.startDataset("faults-" + name + "-" + System.nanoTime(), images, out, 16);
  }

  private Run finish(String name, String id, Path images) throws Exception {
    DatasetResult result;
    try {
      result = cluster.await(id, RUN_TIMEOUT);
    } catch (Exception e) {
      throw new AssertionError(name + " did not complete: " + e + "\n" + cluster.logs(), e);
    }
    assertThat(result.counts().done()).isEqualTo(result.counts().listed());
    OutputCheck check = OutputCheck.of(images, work.resolve("out-" + name));
    assertThat(workflows.peakRssMib()).isLessThan(MEMORY_BOUND_MIB);
    assertThat(cpu.peakRssMib()).isLessThan(MEMORY_BOUND_MIB);
    assertThat(api.peakRssMib()).isLessThan(MEMORY_BOUND_MIB);
    return new Run(name, check, (System.nanoTime() - startedAt) / 1e9, timeouts(id, images));
  }

  private static void assertCompleteAndAccepted(Run run, int images) {
    assertThat(run.check().problems()).isEmpty();
    assertThat(run.check().accepted()).isEqualTo(images);
  }

  private void report(Run run, String format, Object... values) {
    System.out.printf(
        Locale.ROOT,
        "FAULT %s: %s | %s | %.1f s, timeouts %s | calls received %d, paid %d, re-paid %d, 429 %d,"
            + " 5xx %d | peak RSS workflows %.0f MiB, cpu %.0f MiB, api %.0f MiB%n",
        run.name(),
        String.format(Locale.ROOT, format, values),
        run.check(),
        run.seconds(),
        run.timeouts(),
        fake.ledger().received(),
        fake.ledger().paid(),
        fake.ledger().repaid(),
        fake.ledger().status(429),
        fake.ledger().status(500) + fake.ledger().status(503),
        workflows.peakRssMib(),
        cpu.peakRssMib(),
        api.peakRssMib());
  }

  private static void awaitPaid(int paid) throws InterruptedException {
    await(() -> fake.ledger().paid() >= paid, Duration.ofMinutes(2));
  }

  private static void await(BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout + "\n" + cluster.logs());
      }
      Thread.sleep(50);
    }
  }

  /** Timed-out activity and workflow tasks in the dataset's image workflows, by activity type. */
  private static Map<String, Integer> timeouts(String datasetId, Path images) throws IOException {
    Map<String, Integer> timeouts = new TreeMap<>();
    for (String workflowId : Histories.imageWorkflowIds(datasetId, images)) {
      Map<Long, String> scheduled = new HashMap<>();
      for (HistoryEvent event : cluster.client().fetchHistory(workflowId).getEvents()) {
        if (event.hasActivityTaskScheduledEventAttributes()) {
          scheduled.put(
              event.getEventId(),
              event.getActivityTaskScheduledEventAttributes().getActivityType().getName());
        } else if (event.hasActivityTaskTimedOutEventAttributes()) {
          long id = event.getActivityTaskTimedOutEventAttributes().getScheduledEventId();
          timeouts.merge(scheduled.getOrDefault(id, "activity"), 1, Integer::sum);
        } else if (event.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) {
          timeouts.merge("WorkflowTask", 1, Integer::sum);
        }
      }
    }
    return timeouts;
  }

  /** Activities of the dataset's image workflows that a worker had started and not completed. */
  private static int startedActivities(String datasetId, Path images) throws IOException {
    return Histories.startedActivities(
        cluster.client(), Histories.imageWorkflowIds(datasetId, images));
  }
}
