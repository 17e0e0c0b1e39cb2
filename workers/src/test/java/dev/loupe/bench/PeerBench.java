package dev.loupe.bench;

import dev.loupe.contract.DatasetResult;
import dev.loupe.provider.fake.FakeRateLimit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loupe against the tools dataset builders use today, in one run: the same images, the same fake
 * endpoint (lognormal latency), the same three calls per image and the same cap on calls in flight,
 * for Loupe, distilabel and Bespoke Curator (the scripts in {@code bench/peers/}, in the Python
 * environment {@code scripts/bench-peers-setup} makes). Then each again, killed with SIGKILL once
 * half the calls are paid and started again: what survives, and how many calls are paid twice. With
 * {@code --rpm R} the endpoint enforces R requests per minute and every tool is told R where it has
 * a setting (Loupe's {@code requestsPerMinute}, Curator's {@code max_requests_per_minute};
 * distilabel has none and relies on the OpenAI client's retries): throughput and 429s, no kills.
 */
final class PeerBench {
  private static final Pattern COMPLETED = Pattern.compile("COMPLETED (\\d+) of (\\d+)");

  /** A peer that sends no request for this long while it runs is declared stalled. */
  private static final Duration STALL = Duration.ofSeconds(120);

  private final Bench bench;
  private Integer rpm;

  PeerBench(Bench bench) {
    this.bench = bench;
  }

  /** One tool's run: its figures, what it completed, and the kill when there was one. */
  private record PeerRun(
      Bench.Figures figures,
      int completed,
      int inFlightAtKill,
      int startedActivitiesAtKill,
      double killedAtSeconds) {}

  void run() throws Exception {
    int count = bench.intOption("images", 150);
    int concurrency = bench.intOption("concurrency", 30);
    Latency latency =
        new Latency.LogNormal(
            bench.intOption("median-ms", 2000), bench.intOption("p99-ms", 10_000));
    int limit = bench.intOption("rpm", 0);
    boolean kills = Boolean.parseBoolean(bench.option("kill", Boolean.toString(limit == 0)));
    Path python = Path.of(System.getenv().getOrDefault("LOUPE_PEERS_PYTHON", "python3"));
    Path images = bench.images(count);
    List<PeerRun> runs = new ArrayList<>();
    try (FakeBenchEndpoint fake = bench.fake(latency)) {
      if (limit > 0) {
        // The provider's limit as providers enforce it (see the ratelimit scenario); every tool is
        // told the same limit where it has a setting for it.
        fake.admission(new FakeRateLimit(limit, 1.0)::tryAcquire);
        this.rpm = limit;
      }
      for (boolean kill : kills ? new boolean[] {false, true} : new boolean[] {false}) {
        runs.add(loupe(fake, images, count, concurrency, kill));
        for (String tool : List.of("distilabel", "curator")) {
          runs.add(peer(tool, python, fake, images, count, concurrency, kill));
        }
      }
    }
    Bench.header(
        "peers: "
            + count
            + " images, "
            + latency
            + ", at most "
            + concurrency
            + " calls in flight, caption-qa (3 calls per image)"
            + (rpm == null ? "" : ", the endpoint enforcing " + rpm + " requests/minute"));
    double ideal = concurrency / (BenchConfig.CALLS_PER_IMAGE * latency.meanMillis() / 1000);
    Bench.line("ideal images/s", "%.3f", ideal);
    for (PeerRun run : runs) {
      run.figures().print();
      Bench.line("completed samples", "%d of %d", run.completed(), count);
      if (run.inFlightAtKill() >= 0) {
        Bench.line(
            "killed (SIGKILL)",
            "at %.1f s with %d calls in flight at the endpoint; then started again",
            run.killedAtSeconds(),
            run.inFlightAtKill());
        if (run.startedActivitiesAtKill() >= 0) {
          Bench.line(
              "activities started, not completed",
              "%d at the kill (Temporal: calls in flight, answered or not)",
              run.startedActivitiesAtKill());
        }
      } else {
        Bench.line(
            "images/s (span) / ideal",
            "%.1f %%",
            100 * run.figures().imagesPerSecondSpan() / ideal);
      }
    }
    System.out.println();
    System.out.println(
        "   Loupe / peer, completed images per second over the endpoint span (no kill):");
    Bench.Figures loupe = runs.get(0).figures();
    if (rpm != null) {
      for (PeerRun run : runs) {
        Bench.Figures f = run.figures();
        Bench.line(
            f.name() + " requests/minute",
            "%.1f paid over the span = %.1f %% of %d; 429s %.2f %% of requests",
            f.paid() / f.spanSeconds() * 60,
            100 * f.paid() / f.spanSeconds() * 60 / rpm,
            rpm,
            100.0 * f.rateLimited() / Math.max(1, f.received()));
      }
    }
    // Throughput counts the samples a tool completed, so that a run that failed part-way is not
    // credited with the calls it made.
    double loupeRate = runs.get(0).completed() / loupe.spanSeconds();
    for (PeerRun run : runs.subList(1, 3)) {
      double peerRate = run.completed() / run.figures().spanSeconds();
      if (run.completed() == 0) {
        Bench.line("Loupe / " + run.figures().name(), "n/a: the peer completed no sample");
      } else {
        Bench.line(
            "Loupe / " + run.figures().name(),
            "%.2f×  (completed images per second of endpoint span: %.3f / %.3f)",
            loupeRate / peerRate,
            loupeRate,
            peerRate);
      }
    }
  }

  private PeerRun loupe(
      FakeBenchEndpoint fake, Path images, int count, int concurrency, boolean kill)
      throws Exception {
    String scenario = kill ? "peers-loupe-kill" : "peers-loupe";
    Path out = Bench.freshDirectory(bench.work().resolve(scenario).resolve("out"));
    try (TemporalTestServer server = bench.devServer(scenario);
        LoupeCluster cluster =
            bench.cluster(
                scenario, server, bench.config(fake, concurrency).withRequestsPerMinute(rpm))) {
      LoupeWorker worker = cluster.startWorker("all");
      awaitQuiet(fake);
      fake.ledger().reset();
      long start = System.nanoTime();
      String id =
          cluster.startDataset(
              scenario + "-" + System.currentTimeMillis(), images, out, 2 * concurrency);
      int inFlight = -1;
      int startedAtKill = -1;
      double killedAt = 0;
      if (kill) {
        awaitPaid(fake, count * BenchConfig.CALLS_PER_IMAGE / 2);
        inFlight = fake.ledger().inFlight();
        worker.kill();
        killedAt = (System.nanoTime() - start) / 1e9;
        startedAtKill =
            Histories.startedActivities(cluster.client(), Histories.imageWorkflowIds(id, images));
        worker = cluster.startWorker("all");
      }
      DatasetResult result = cluster.await(id, Duration.ofHours(1));
      double wall = (System.nanoTime() - start) / 1e9;
      OutputCheck check = OutputCheck.of(images, out);
      Bench.Figures figures =
          figures(
              "Loupe" + (kill ? " (killed)" : ""),
              fake,
              count,
              result.counts().accepted(),
              wall,
              check.problems().isEmpty() ? "ok" : check.problems().toString());
      return new PeerRun(
          figures, (int) result.counts().accepted(), inFlight, startedAtKill, killedAt);
    }
  }

  private PeerRun peer(
      String tool,
      Path python,
      FakeBenchEndpoint fake,
      Path images,
      int count,
      int concurrency,
      boolean kill)
      throws Exception {
    Path dir = Bench.freshDirectory(bench.work().resolve("peers-" + tool + (kill ? "-kill" : "")));
    List<String> command =
        new ArrayList<>(
            List.of(
                python.toString(),
                Path.of("bench", "peers", tool + "_run.py").toAbsolutePath().toString(),
                "--base-url",
                fake.baseUrl(),
                "--images",
                images.toString(),
                "--out",
                dir.resolve("samples.jsonl").toString(),
                "--cache",
                dir.resolve("cache").toString(),
                "--concurrency",
                Integer.toString(concurrency)));
    if (rpm != null) {
      command.addAll(List.of("--rpm", Integer.toString(rpm)));
    }
    awaitQuiet(fake);
    fake.ledger().reset();
    long start = System.nanoTime();
    int inFlight = -1;
    double killedAt = 0;
    Process process = startPython(command, dir.resolve("run-1.log"));
    if (kill) {
      awaitPaid(fake, count * BenchConfig.CALLS_PER_IMAGE / 2);
      inFlight = fake.ledger().inFlight();
      killTree(process);
      killedAt = (System.nanoTime() - start) / 1e9;
      process = startPython(command, dir.resolve("run-2.log"));
    }
    boolean stalled = !awaitExit(process, fake);
    double wall = (System.nanoTime() - start) / 1e9;
    killGroup(process);
    String log =
        Files.readString(dir.resolve(kill ? "run-2.log" : "run-1.log"), StandardCharsets.UTF_8);
    Matcher completed = COMPLETED.matcher(log);
    int samples = completed.find() ? Integer.parseInt(completed.group(1)) : 0;
    String outcome =
        stalled
            ? "STALLED: no request for " + STALL.toSeconds() + " s, killed (see " + dir + ")"
            : process.exitValue() == 0
                ? "exit 0"
                : "exit " + process.exitValue() + " (see " + dir + ")";
    Bench.Figures figures =
        figures(tool + (kill ? " (killed)" : ""), fake, count, samples, wall, outcome);
    return new PeerRun(figures, samples, inFlight, -1, killedAt);
  }

  private static Bench.Figures figures(
      String name, FakeBenchEndpoint fake, int count, long accepted, double wall, String outputs) {
    CallLedger ledger = fake.ledger();
    return new Bench.Figures(
        name,
        count,
        accepted,
        wall,
        ledger.spanSeconds(),
        ledger.received(),
        ledger.paid(),
        ledger.repaid(),
        ledger.status(429),
        ledger.busySeconds(),
        ledger.steadyPaidPerSecond(),
        ledger.maxInFlight(),
        -1,
        -1,
        -1,
        -1,
        -1,
        -1,
        0,
        outputs);
  }

  /**
   * Waits until the endpoint has no call in flight (at most a minute), so that what a previous tool
   * left behind (a crashed process's last requests) is not counted in the next tool's figures.
   */
  private static void awaitQuiet(FakeBenchEndpoint fake) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (fake.ledger().inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
  }

  /**
   * Waits for the process to exit; false when it sent no request for {@link #STALL} while still
   * running (then it is killed): distilabel's resume from its cache can hang.
   */
  private static boolean awaitExit(Process process, FakeBenchEndpoint fake)
      throws InterruptedException {
    long lastCount = -1;
    long lastChange = System.nanoTime();
    while (!process.waitFor(1, TimeUnit.SECONDS)) {
      long count = fake.ledger().received();
      if (count != lastCount) {
        lastCount = count;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > STALL.toNanos()) {
        killTree(process);
        return false;
      }
    }
    return true;
  }

  /**
   * Starts the peer in a process group of its own ({@code setsid}), so that whatever it leaves
   * running when it exits (distilabel's step processes) can be killed before the next tool runs.
   */
  private static Process startPython(List<String> command, Path log) throws IOException {
    List<String> grouped = new ArrayList<>();
    grouped.add("setsid");
    grouped.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(grouped);
    Map<String, String> env = builder.environment();
    env.put("OPENAI_API_KEY", Bench.KEY);
    env.put("PYTHONUNBUFFERED", "1");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    return builder.start();
  }

  /** SIGKILL to the process and every process it started (distilabel runs steps in children). */
  private static void killTree(Process process) throws InterruptedException {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroyForcibly();
    for (ProcessHandle child : children) {
      child.destroyForcibly();
    }
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGKILL to what is left of the peer's process group after it exited. */
  private static void killGroup(Process process) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-KILL", "--", "-" + process.pid())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start()
        .waitFor(10, TimeUnit.SECONDS);
  }

  private static void awaitPaid(FakeBenchEndpoint fake, long paid) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
    while (fake.ledger().paid() < paid) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the run never reached " + paid + " paid calls");
      }
      Thread.sleep(20);
    }
  }
}
