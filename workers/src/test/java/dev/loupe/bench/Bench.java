package dev.loupe.bench;

import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.Progress;
import dev.loupe.provider.fake.FakeRateLimit;
import dev.loupe.recipe.ProjectConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Loupe's benchmarks, as a program that prints figures (run through {@code scripts/bench}): every
 * scenario runs the benchmark recipe {@code caption-qa} (describe → ask → answer: three model calls
 * per image) on generated images through {@code loupe worker} processes and a Temporal dev server,
 * against {@link FakeBenchEndpoint}.
 *
 * <pre>
 *   latency   lognormal latency (median, p99), concurrency C: images/s against C / (3 × mean)
 *   fast      1–5 ms latency: images/s, worker CPU ms per image, history events per image
 *   scale     the fast endpoint at several image counts: wall time, peak worker memory
 *   ratelimit the endpoint enforces R requests per minute (429 beyond), Loupe is configured with
 *             requestsPerMinute R: requests per minute achieved / R, and the share of 429s
 *   fleet     1, 2 and 4 API worker processes at a binding RPM and at a binding TPM, one of them
 *             SIGKILLed mid-run: share of the limit used, 429 share, images accepted vs started
 *   orchestration  allava and textsquare through 1, 2 and 4 worker processes at the fast endpoint:
 *             images/s, history events, database rows and bytes, server, database and worker CPU
 *             per image, worker memory ({@link OrchestrationBench})
 *   peers     Loupe, distilabel and Bespoke Curator on the same images, endpoint and concurrency,
 *             then each killed mid-run and resumed: throughput, 429s, calls paid twice
 *   captioner the captioner pool on a real engine against a direct client ({@link CaptionerBench})
 * </pre>
 *
 * Options: {@code --images N} (scale: a comma-separated list), {@code --concurrency C}, {@code
 * --window W} (default 2C), {@code --median-ms}, {@code --p99-ms}, {@code --heap} (worker -Xmx,
 * default 512m), {@code --sqlite} (the dev server keeps its state in a SQLite file instead of
 * memory), {@code --seed}, {@code --warmup N} (a dataset of N images through the same worker before
 * the measured one, left out of the figures but the peak RSS). {@code TEMPORAL_ADDRESS} names a
 * server to use instead of starting one.
 */
public final class Bench {
  static final String KEY = "sk-bench-NOTASECRET-0000000000000000";
  static final String KEY_ENV = "BENCH_API_KEY";

  private final Map<String, String> options;
  private final Path work;
  private final Path jar;

  private Bench(Map<String, String> options) {
    this.options = options;
    this.work = Path.of(option("work", "target/bench")).toAbsolutePath();
    this.jar = Path.of(option("jar", "workers/target/loupe.jar")).toAbsolutePath();
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: bench latency|fast|scale|peers [--option value]…");
      System.exit(2);
    }
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected an --option, got " + args[i]);
      }
      boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
      options.put(args[i].substring(2), flag ? "true" : args[++i]);
    }
    Bench bench = new Bench(options);
    switch (args[0]) {
      case "latency" -> bench.latency();
      case "fast" -> bench.fast();
      case "scale" -> bench.scale();
      case "ratelimit" -> bench.rateLimit();
      case "fleet" -> new FleetBench(bench).run();
      case "orchestration" -> new OrchestrationBench(bench).run();
      case "peers" -> new PeerBench(bench).run();
      case "export" -> new ShardExportBenchmark(bench).run();
      case "cost" -> new BatchBench(bench).cost();
      case "batchkill" -> new BatchBench(bench).batchKill();
      case "captioner" -> new CaptionerBench(bench).run();
      default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
    }
    System.exit(0);
  }

  String option(String name, String fallback) {
    return options.getOrDefault(name, fallback);
  }

  int intOption(String name, int fallback) {
    return Integer.parseInt(option(name, Integer.toString(fallback)));
  }

  Path work() {
    return work;
  }

  // ---- scenarios ----

  private void latency() throws Exception {
    int images = intOption("images", 600);
    int concurrency = intOption("concurrency", 32);
    Latency latency =
        new Latency.LogNormal(intOption("median-ms", 2000), intOption("p99-ms", 10_000));
    try (FakeBenchEndpoint fake = fake(latency)) {
      Figures run = runLoupe("latency", fake, images, concurrency, null);
      double ideal = concurrency / (BenchConfig.CALLS_PER_IMAGE * latency.meanMillis() / 1000);
      double realizedMean = run.busySeconds() / Math.max(1, run.received());
      header("latency-bound: " + latency + ", concurrency " + concurrency);
      run.print();
      line(
          "ideal images/s",
          "%.3f  (C / (3 × mean latency) = %d / (3 × %.3f s))",
          ideal,
          concurrency,
          latency.meanMillis() / 1000);
      line("images/s (span) / ideal", "%.1f %%", 100 * run.imagesPerSecondSpan() / ideal);
      line("images/s (end to end) / ideal", "%.1f %%", 100 * run.imagesPerSecondWall() / ideal);
      line(
          "mean calls in flight / C",
          "%.1f %%  (realized mean latency %.3f s)",
          100 * run.busySeconds() / run.spanSeconds() / concurrency,
          realizedMean);
    }
  }

  private void fast() throws Exception {
    int images = intOption("images", 1000);
    int concurrency = intOption("concurrency", 64);
    try (FakeBenchEndpoint fake = fake(new Latency.Uniform(1, 5))) {
      Figures run = runLoupe("fast", fake, images, concurrency, null);
      header("fast endpoint: uniform 1–5 ms, concurrency " + concurrency);
      run.print();
    }
  }

  private void rateLimit() throws Exception {
    int rpm = intOption("rpm", 300);
    int images = intOption("images", 300);
    int concurrency = intOption("concurrency", 32);
    Latency latency = new Latency.LogNormal(intOption("median-ms", 800), intOption("p99-ms", 4000));
    // The provider's limit as providers enforce it: a bucket refilled at rpm / 60 per second that
    // holds one second of requests; beyond it, 429 with the time until the next token.
    FakeRateLimit limit = new FakeRateLimit(rpm, 1.0);
    try (FakeBenchEndpoint fake = fake(latency).admission(limit::tryAcquire)) {
      Figures run = runLoupe("ratelimit", fake, images, concurrency, rpm);
      header(
          "rate-limited: "
              + rpm
              + " requests/minute enforced by the endpoint and configured as requestsPerMinute, "
              + latency
              + ", concurrency "
              + concurrency);
      run.print();
      double steadyRpm = run.steadyCallsPerSecond() * 60;
      double wholeRpm = run.paid() / run.spanSeconds() * 60;
      line(
          "requests/minute (10–90 % of span)",
          "%.1f = %.1f %% of %d", steadyRpm, 100 * steadyRpm / rpm, rpm);
      line(
          "requests/minute (whole span)",
          "%.1f = %.1f %% of %d",
          wholeRpm,
          100 * wholeRpm / rpm,
          rpm);
      line(
          "429 share",
          "%d of %d requests = %.2f %%",
          run.rateLimited(),
          run.received(),
          100.0 * run.rateLimited() / Math.max(1, run.received()));
    }
  }

  private void scale() throws Exception {
    int concurrency = intOption("concurrency", 64);
    // Each count's figures are printed as soon as its run ends, so a long series that is stopped
    // keeps what it measured.
    for (String count : option("images", "1000,10000").split(",")) {
      try (FakeBenchEndpoint fake = fake(new Latency.Uniform(1, 5))) {
        Figures run = runLoupe("scale-" + count, fake, Integer.parseInt(count), concurrency, null);
        header("scale: fast endpoint, concurrency " + concurrency);
        run.print();
        System.out.flush();
      }
    }
  }

  // ---- one Loupe run ----

  FakeBenchEndpoint fake(Latency latency) throws IOException {
    return FakeBenchEndpoint.start(0, Long.parseLong(option("seed", "7")), KEY).latency(latency);
  }

  Path images(int count) throws IOException {
    return ImageSet.write(work.resolve("images-" + count), count);
  }

  /**
   * A Temporal server for one run: a dev server, or with {@code --server postgres} the release
   * users deploy on PostgreSQL (scripts/temporal-postgres); none when TEMPORAL_ADDRESS names one.
   */
  TemporalTestServer devServer(String scenario) throws IOException, InterruptedException {
    if (System.getenv("TEMPORAL_ADDRESS") != null) {
      return null;
    }
    if ("postgres".equals(option("server", "dev"))) {
      return PostgresTemporalServer.start(
          ProjectConfig.directory().getParent(),
          freshDirectory(work.resolve(scenario).resolve("temporal-postgres")));
    }
    Path cli =
        TemporalDevServer.findCli()
            .orElseThrow(() -> new IllegalStateException("the temporal CLI is not on PATH"));
    Path dir = work.resolve(scenario);
    Path database = options.containsKey("sqlite") ? dir.resolve("temporal.db") : null;
    if (database != null) {
      Files.deleteIfExists(database);
    }
    return TemporalDevServer.start(cli, database, dir.resolve("temporal.log"));
  }

  LoupeCluster cluster(String scenario, TemporalTestServer server, BenchConfig config)
      throws IOException {
    String address = server == null ? System.getenv("TEMPORAL_ADDRESS") : server.address();
    return new LoupeCluster(
        server, address, jar, work.resolve(scenario), config, KEY, option("heap", "512m"));
  }

  BenchConfig config(FakeBenchEndpoint fake, int concurrency) {
    return new BenchConfig(fake.baseUrl(), KEY_ENV, concurrency);
  }

  /**
   * One dataset of {@code count} images through a {@code loupe worker --pool all} process.
   *
   * @param rpm the endpoint's {@code requestsPerMinute}, or null for none
   */
  Figures runLoupe(String scenario, FakeBenchEndpoint fake, int count, int concurrency, Integer rpm)
      throws Exception {
    Path images = images(count);
    Path out = freshDirectory(work.resolve(scenario).resolve("out"));
    int window = intOption("window", 2 * concurrency);
    try (TemporalTestServer server = devServer(scenario);
        LoupeCluster cluster =
            cluster(scenario, server, config(fake, concurrency).withRequestsPerMinute(rpm))) {
      LoupeWorker worker = cluster.startWorker("all");
      int warmup = intOption("warmup", 0);
      if (warmup > 0) {
        // A warm-up dataset on the same worker first, so that the figures are those of a worker
        // that has run for a while (JIT compilation done), as in production; it is left out of
        // every figure below except the peak RSS.
        String warmupId = scenario + "-warmup-" + System.currentTimeMillis();
        cluster.startDataset(
            warmupId,
            images(warmup),
            freshDirectory(work.resolve(scenario).resolve("warmup")),
            window);
        cluster.await(warmupId, Duration.ofHours(1));
      }
      Histories.Totals imagesBefore = Histories.of(cluster.client(), "ImageWorkflow");
      Histories.Totals datasetsBefore = Histories.of(cluster.client(), "DatasetWorkflow");
      fake.ledger().reset();
      long cpuBefore = worker.cpuMillis();
      long jitBefore = worker.jitMillis();
      long serverCpuBefore = server == null ? 0 : ProcStats.cpuMillis(server.pid());
      long start = System.nanoTime();
      String id =
          cluster.startDataset(scenario + "-" + System.currentTimeMillis(), images, out, window);
      DatasetResult result = cluster.await(id, Duration.ofHours(3));
      double wall = (System.nanoTime() - start) / 1e9;
      int continuedAsNew =
          cluster
              .client()
              .newUntypedWorkflowStub(id)
              .query("progress", Progress.class)
              .continuedAsNew();
      System.err.printf(
          Locale.ROOT, "bench: dataset %s continued as new %d times%n", id, continuedAsNew);
      long cpu = worker.cpuMillis() - cpuBefore;
      long jit = jitBefore < 0 ? -1 : worker.jitMillis() - jitBefore;
      long serverCpu = server == null ? -1 : ProcStats.cpuMillis(server.pid()) - serverCpuBefore;
      Histories.Totals imageHistories =
          Histories.of(cluster.client(), "ImageWorkflow").minus(imagesBefore);
      Histories.Totals datasetHistories =
          Histories.of(cluster.client(), "DatasetWorkflow").minus(datasetsBefore);
      OutputCheck check = OutputCheck.of(images, out);
      return new Figures(
          "Loupe " + scenario,
          count,
          result.counts().accepted(),
          wall,
          fake.ledger().spanSeconds(),
          fake.ledger().received(),
          fake.ledger().paid(),
          fake.ledger().repaid(),
          fake.ledger().status(429),
          fake.ledger().busySeconds(),
          fake.ledger().steadyPaidPerSecond(),
          fake.ledger().maxInFlight(),
          cpu,
          jit,
          serverCpu,
          worker.peakRssMib(),
          worker.retainedHeapMib(),
          imageHistories.eventsPerExecution(),
          (double) datasetHistories.events() / count,
          check.problems().isEmpty() ? "ok" : check.problems().toString());
    }
  }

  static Path freshDirectory(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
    return Files.createDirectories(dir);
  }

  // ---- printing ----

  static void header(String title) {
    System.out.println();
    System.out.println("== " + title);
    System.out.println(
        "   machine: "
            + Runtime.getRuntime().availableProcessors()
            + " cores, load average "
            + loadAverage());
  }

  static void line(String label, String format, Object... values) {
    System.out.printf(Locale.ROOT, "   %-34s " + format + "%n", prepend(label, values));
  }

  private static Object[] prepend(String label, Object[] values) {
    Object[] all = new Object[values.length + 1];
    all[0] = label + ":";
    System.arraycopy(values, 0, all, 1, values.length);
    return all;
  }

  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /**
   * The figures of one run.
   *
   * @param name what ran
   * @param images input images
   * @param accepted images accepted
   * @param wallSeconds from starting the dataset to its result (export included)
   * @param spanSeconds from the fake's first request to its last answer
   * @param received requests the fake received
   * @param paid complete 200 answers
   * @param repaid paid answers beyond the first for the same image and call kind
   * @param rateLimited 429 answers
   * @param busySeconds sum over requests of the time each was being served
   * @param steadyCallsPerSecond paid answers per second between 10 % and 90 % of the span
   * @param maxInFlight most requests in flight at once
   * @param workerCpuMillis worker CPU time (user + system) during the run; -1 when not measured
   * @param workerJitMillis of the worker CPU time, what the JIT compilers spent; -1 when not
   *     measured
   * @param serverCpuMillis dev server CPU time during the run; -1 when not measured
   * @param peakRssMib worker's peak resident set size; -1 when not measured
   * @param retainedHeapMib worker's used heap after a full collection at the end; -1 when not
   *     measured
   * @param eventsPerImage history events per image workflow; -1 when not measured
   * @param datasetEventsPerImage dataset workflow history events (all runs) per image
   * @param outputs "ok", or what the output check found
   */
  record Figures(
      String name,
      int images,
      long accepted,
      double wallSeconds,
      double spanSeconds,
      long received,
      long paid,
      long repaid,
      long rateLimited,
      double busySeconds,
      double steadyCallsPerSecond,
      int maxInFlight,
      long workerCpuMillis,
      long workerJitMillis,
      long serverCpuMillis,
      double peakRssMib,
      double retainedHeapMib,
      double eventsPerImage,
      double datasetEventsPerImage,
      String outputs) {

    double imagesPerSecondSpan() {
      return images / spanSeconds;
    }

    double imagesPerSecondWall() {
      return images / wallSeconds;
    }

    void print() {
      System.out.println("   -- " + name);
      line("images (accepted)", "%d (%d)", images, accepted);
      line(
          "wall time (start → result)",
          "%.1f s  = %.3f images/s",
          wallSeconds,
          imagesPerSecondWall());
      line(
          "endpoint span (first → last call)",
          "%.1f s  = %.3f images/s",
          spanSeconds,
          imagesPerSecondSpan());
      line("calls received / paid / re-paid", "%d / %d / %d", received, paid, repaid);
      line(
          "429 answers",
          "%d (%.2f %% of requests)",
          rateLimited,
          received == 0 ? 0 : 100.0 * rateLimited / received);
      line("calls in flight: mean / max", "%.1f / %d", busySeconds / spanSeconds, maxInFlight);
      line(
          "steady calls/s (10–90 % of span)",
          "%.2f = %.3f images/s",
          steadyCallsPerSecond,
          steadyCallsPerSecond / BenchConfig.CALLS_PER_IMAGE);
      if (workerCpuMillis >= 0) {
        line(
            "worker CPU",
            "%d ms = %.2f ms per image",
            workerCpuMillis,
            (double) workerCpuMillis / images);
        if (workerJitMillis >= 0) {
          line(
              "worker CPU less JIT compilation",
              "%d ms = %.2f ms per image  (JIT: %d ms)",
              workerCpuMillis - workerJitMillis,
              (double) (workerCpuMillis - workerJitMillis) / images,
              workerJitMillis);
        }
      }
      if (serverCpuMillis >= 0) {
        line(
            "dev server CPU",
            "%d ms = %.2f ms per image",
            serverCpuMillis,
            (double) serverCpuMillis / images);
      }
      if (peakRssMib >= 0) {
        line("worker peak RSS (VmHWM)", "%.0f MiB", peakRssMib);
      }
      if (retainedHeapMib >= 0) {
        line("worker heap after a full GC", "%.1f MiB (at the end of the run)", retainedHeapMib);
      }
      if (eventsPerImage >= 0) {
        line(
            "history events per image",
            "%.1f (image workflow) + %.2f (dataset share)",
            eventsPerImage,
            datasetEventsPerImage);
      }
      line("outputs", "%s", outputs);
    }
  }
}
