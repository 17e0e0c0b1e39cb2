package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.bench.BenchConfig;
import dev.loupe.bench.FakeBenchEndpoint;
import dev.loupe.bench.Histories;
import dev.loupe.bench.ImageSet;
import dev.loupe.bench.Latency;
import dev.loupe.bench.LoupeCluster;
import dev.loupe.bench.LoupeWorker;
import dev.loupe.bench.OutputCheck;
import dev.loupe.bench.TemporalTestServer;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.Progress;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowQueryException;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrades mid-run (docs/versioning.md): a dataset starts on workflow workers of build A (the
 * packaged {@code loupe worker --pool workflows}); mid-run that process is SIGKILLed and replaced
 * by a process of build B ({@link BuildBWorkflowWorker}), whose image workflow changed behind a
 * {@code Workflow.getVersion} patch ({@link GrammarCheckedImageWorkflow}). CPU and API workers,
 * from the jar, stay up. The dataset finishes with every image exactly once; images whose first
 * workflow task ran on A keep A's path (no grammar check), also those that B finished, and images
 * that started on B take B's (a grammar check per answer), as their histories and samples show.
 */
class WorkerUpgradeIT {
  private static final String KEY = "sk-upgrade-test-0000";
  private static final int IMAGES = 12;
  private static final int WINDOW = 3;
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  private FakeBenchEndpoint fake;
  private LoupeCluster cluster;
  private Process buildB;

  @AfterEach
  void stop() throws InterruptedException {
    if (buildB != null) {
      buildB.destroyForcibly();
      buildB.waitFor(30, TimeUnit.SECONDS);
    }
    if (cluster != null) {
      cluster.close();
    }
    if (fake != null) {
      fake.close();
    }
  }

  /** Where an image workflow's first and last workflow tasks ran, and which path it took. */
  private record ImageRun(String sha256, long startedOn, long finishedOn, boolean patched) {}

  @Test
  void aDatasetStartedOnBuildAFinishesOnBuildBAndEachImageKeepsThePathItStartedOn()
      throws Exception {
    fake = FakeBenchEndpoint.start(0, 7, KEY).latency(new Latency.Uniform(300, 800));
    TemporalTestServer server = TestServers.ownTemporalServer(work);
    cluster =
        new LoupeCluster(
            server,
            server.address(),
            LoupeProcess.JAR,
            work,
            new BenchConfig(fake.baseUrl(), "UPGRADE_API_KEY", 8),
            KEY,
            "256m");
    LoupeWorker buildA = cluster.startWorker("workflows");
    cluster.startWorker("cpu");
    cluster.startWorker("api");
    Path images = ImageSet.write(work.resolve("images"), IMAGES);
    Path out = work.resolve("out");
    String id = cluster.startDataset("upgrade-" + System.nanoTime(), images, out, WINDOW);

    // Kill A once images are done and others are mid-way on A: a model call of theirs is running,
    // so A ran their first workflow task and B has to replay them.
    List<String> imageIds = Histories.imageWorkflowIds(id, images);
    awaitProgress(
        id, p -> p.done() >= 3 && Histories.startedActivities(cluster.client(), imageIds) >= 1);
    long pidA = buildA.pid();
    buildA.kill();
    long pidB = startBuildB(server.address()).pid();
    DatasetResult result = cluster.await(id, RUN_TIMEOUT);

    assertThat(result.counts().done()).isEqualTo(IMAGES);
    OutputCheck check = OutputCheck.of(images, out);
    assertThat(check.problems()).isEmpty();
    assertThat(check.accepted()).isEqualTo(IMAGES);

    List<ImageRun> runs = new ArrayList<>();
    for (String imageId : imageIds) {
      runs.add(imageRun(imageId));
    }
    Map<String, Set<String>> checksBySample = sampleChecks(out);
    for (ImageRun run : runs) {
      assertThat(run.startedOn()).as("worker of %s's first task", run.sha256()).isIn(pidA, pidB);
      boolean startedOnB = run.startedOn() == pidB;
      assertThat(run.patched()).as("%s took B's path", run.sha256()).isEqualTo(startedOnB);
      assertThat(checksBySample.get(run.sha256()))
          .as("checks of %s's sample", run.sha256())
          .matches(
              checks -> checks.contains(GrammarCheckedImageWorkflow.GRAMMAR) == startedOnB,
              "a grammar check exactly when the image started on build B");
    }
    assertThat(runs)
        .as("images started on A and finished on B (replayed by B, kept A's path)")
        .anyMatch(run -> run.startedOn() == pidA && run.finishedOn() == pidB);
    assertThat(runs).as("images started on B").anyMatch(run -> run.startedOn() == pidB);
    System.out.printf(
        "UPGRADE %d images: %d started on A (%d of them finished on B), %d started on B%n",
        runs.size(),
        runs.stream().filter(r -> r.startedOn() == pidA).count(),
        runs.stream().filter(r -> r.startedOn() == pidA && r.finishedOn() == pidB).count(),
        runs.stream().filter(r -> r.startedOn() == pidB).count());
  }

  /** Starts build B's workflow worker from the test classpath; returns once it polls. */
  private Process startBuildB(String address) throws IOException, InterruptedException {
    Path log = work.resolve("logs/build-b.err");
    Files.createDirectories(log.getParent());
    ProcessBuilder builder =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                BuildBWorkflowWorker.class.getName(),
                cluster.configFile().toString(),
                BenchConfig.configDirectory().toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(log.toFile());
    builder.environment().put("TEMPORAL_ADDRESS", address);
    buildB = builder.start();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!Files.readString(log, StandardCharsets.UTF_8).contains("worker polling")) {
      if (!buildB.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("build B did not poll: " + Files.readString(log));
      }
      Thread.sleep(100);
    }
    return buildB;
  }

  /** The worker processes (by PID) of an image workflow's first and last tasks, and its path. */
  private ImageRun imageRun(String workflowId) {
    List<Long> workers = new ArrayList<>();
    boolean patched = false;
    boolean grammarChecked = false;
    for (HistoryEvent event : cluster.client().fetchHistory(workflowId).getEvents()) {
      if (event.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
        String identity = event.getWorkflowTaskCompletedEventAttributes().getIdentity();
        workers.add(Long.parseLong(identity.substring(0, identity.indexOf('@'))));
      } else if (event.hasMarkerRecordedEventAttributes()) {
        patched |=
            event
                .getMarkerRecordedEventAttributes()
                .toString()
                .contains(GrammarCheckedImageWorkflow.CHANGE_ID);
      } else if (event.hasActivityTaskScheduledEventAttributes()) {
        grammarChecked |=
            "ApiCheckGrammar"
                .equals(
                    event.getActivityTaskScheduledEventAttributes().getActivityType().getName());
      }
    }
    assertThat(grammarChecked).as("%s: grammar call iff patched", workflowId).isEqualTo(patched);
    String sha256 = workflowId.substring(workflowId.lastIndexOf('/') + 1);
    return new ImageRun(sha256, workers.get(0), workers.get(workers.size() - 1), patched);
  }

  /** The names of the QA checks in each sample, by image SHA-256. */
  private static Map<String, Set<String>> sampleChecks(Path out) throws IOException {
    Map<String, Set<String>> checks = new HashMap<>();
    try (Stream<Path> files = Files.list(out)) {
      for (Path file :
          files.filter(f -> f.getFileName().toString().startsWith("samples")).toList()) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (line.isBlank()) {
            continue;
          }
          JsonNode sample = JSON.readTree(line);
          Set<String> names = new HashSet<>();
          for (JsonNode pair : sample.path("qa")) {
            pair.path("checks").fieldNames().forEachRemaining(names::add);
          }
          checks.put(sample.path("id").asText(), names);
        }
      }
    }
    return checks;
  }

  private void awaitProgress(String id, java.util.function.Predicate<Progress> until)
      throws InterruptedException {
    WorkflowStub stub = cluster.client().newUntypedWorkflowStub(id);
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    Progress last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = stub.query("progress", Progress.class);
        if (until.test(last)) {
          return;
        }
      } catch (WorkflowQueryException betweenTasks) {
        // Not answerable yet.
      }
      Thread.sleep(100);
    }
    throw new AssertionError("progress never got there; last: " + last + "\n" + cluster.logs());
  }
}
