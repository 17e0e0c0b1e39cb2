package dev.loupe.bench;

import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.Progress;
import dev.loupe.storage.Locations;
import io.temporal.client.WorkflowClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What orchestration costs ({@code scripts/bench orchestration}, issue 13 part 4): per recipe and
 * number of worker processes, one dataset through N {@code loupe worker --pool workflows,cpu,api}
 * processes (each runs every pool the recipe uses: the dataset and image workflows, probe, OCR and
 * persist, and the model calls) against {@link FakeBenchEndpoint} at a fast latency (uniform 1–5
 * ms), so that the workers and the Temporal server, not the model, bound the run. Prints per case:
 *
 * <ul>
 *   <li>images/s from the dataset's start to its result (export included);
 *   <li>history events per image workflow, and the dataset workflow's (all its runs) per image;
 *   <li>on PostgreSQL ({@code --server postgres}): rows and bytes the Temporal databases gained per
 *       image (exact {@code count(*)} and {@code pg_total_relation_size} of every table before and
 *       after), rows written per image ({@code pg_stat_user_tables} inserts, updates, deletes), WAL
 *       bytes per image, and PostgreSQL's CPU (the postmaster and its connections);
 *   <li>the Temporal server's CPU per image ({@code /proc} of its process);
 *   <li>the workers' CPU per image, all N processes (their JVMs, the JIT compilers' share, and the
 *       OCR processes they start), their peak RSS and their heap after a full GC at the end;
 *   <li>every {@code --sample-seconds} (default 30): images done and each worker's RSS, and with
 *       {@code --heap-samples} the live heap after a full GC (jcmd, which costs CPU beside).
 * </ul>
 *
 * One Temporal server serves every case of an invocation; each case reads its figures as the
 * difference of readings taken before and after it, with fresh worker processes.
 *
 * <p>Options: {@code --recipes allava,textsquare}, {@code --processes 1,2,4}, {@code --images 1000}
 * (or per recipe: {@code allava=1000,textsquare=300}), {@code --kind blocks|noise|bars} (512×512
 * PNGs: blocks of random colours, a few kilobytes each and distinct under every near-duplicate
 * check, the default; noise JPEGs, distinct too but some hundred kilobytes, which makes the image's
 * own work and OCR dear; or bar codes, which only {@code allava} accepts), {@code --concurrency 32}
 * (calls in flight per process), {@code --window 128}, {@code --sample-seconds 30}, {@code
 * --heap-samples}, and Bench's {@code --server postgres}, {@code --heap}.
 */
final class OrchestrationBench {
  private static final String POOLS = "workflows,cpu,api";

  /** Time for PostgreSQL's connections to report their table statistics (at most every 10 s). */
  private static final Duration STATS_SETTLE = Duration.ofSeconds(12);

  private final Bench bench;
  private final List<String> rows = new ArrayList<>();

  OrchestrationBench(Bench bench) {
    this.bench = bench;
  }

  void run() throws Exception {
    int concurrency = bench.intOption("concurrency", 32);
    try (FakeBenchEndpoint fake = bench.fake(new Latency.Uniform(1, 5));
        TemporalTestServer server = bench.devServer("orchestration");
        LoupeCluster cluster =
            bench.cluster("orchestration", server, bench.config(fake, concurrency))) {
      for (String recipe : bench.option("recipes", "allava,textsquare").split(",")) {
        for (String processes : bench.option("processes", "1,2,4").split(",")) {
          int count = count(recipe.strip());
          Case result =
              runCase(
                  cluster,
                  server,
                  fake,
                  images(count),
                  count,
                  recipe.strip(),
                  Integer.parseInt(processes.strip()));
          result.print(server.description(), concurrency);
          rows.add(result.row());
          System.out.flush();
        }
      }
      System.out.println();
      System.out.println(
          "== summary (per image; CPU in ms; rows and KiB in the Temporal databases)");
      System.out.println(Case.HEADER);
      System.out.println(Case.RULE);
      rows.forEach(System.out::println);
    }
  }

  /** {@code --images N} for every recipe, or {@code --images allava=N,textsquare=M}. */
  private int count(String recipe) {
    String value = bench.option("images", "1000");
    if (!value.contains("=")) {
      return Integer.parseInt(value.strip());
    }
    for (String pair : value.split(",")) {
      String[] parts = pair.split("=", 2);
      if (parts[0].strip().equals(recipe)) {
        return Integer.parseInt(parts[1].strip());
      }
    }
    throw new IllegalArgumentException("--images " + value + " names no count for " + recipe);
  }

  private Path images(int count) throws java.io.IOException {
    return switch (bench.option("kind", "blocks")) {
      case "noise" ->
          ShardExportBenchmark.photos(
              bench.work().resolve("noise-512-" + count), count, 512, 512, true);
      case "blocks" -> BenchImages.ensureBlocks(bench.work().resolve("blocks-512-" + count), count);
      case "bars" -> BenchImages.ensure(bench.work().resolve("images-512-" + count), count);
      default -> throw new IllegalArgumentException("--kind is blocks, noise or bars");
    };
  }

  private Case runCase(
      LoupeCluster cluster,
      TemporalTestServer server,
      FakeBenchEndpoint fake,
      Path images,
      int count,
      String recipe,
      int processes)
      throws Exception {
    String name = recipe + "-" + processes;
    Path out = Bench.freshDirectory(bench.work().resolve("orchestration").resolve("out-" + name));
    PostgresTemporalServer postgres =
        server instanceof PostgresTemporalServer onPostgres ? onPostgres : null;
    List<LoupeWorker> workers = new ArrayList<>();
    for (int i = 0; i < processes; i++) {
      workers.add(cluster.startWorker(POOLS));
    }
    try {
      WorkflowClient client = cluster.client();
      String loadBefore = Bench.loadAverage();
      Histories.Totals imagesBefore = Histories.closed(client, "ImageWorkflow");
      Histories.Totals datasetsBefore = Histories.closed(client, "DatasetWorkflow");
      DatabaseStats databaseBefore = null;
      if (postgres != null) {
        Thread.sleep(STATS_SETTLE.toMillis());
        databaseBefore = postgres.databaseStats();
      }
      Cpu before = Cpu.read(server, postgres, workers);
      fake.ledger().reset();
      long start = System.nanoTime();
      String id = "orchestration-" + name + "-" + System.currentTimeMillis();
      cluster.startDataset(
          id,
          DatasetRequest.of(dir(images), dir(out))
              .withRecipe(recipe)
              .withWindow(bench.intOption("window", 128))
              .withFailedWaitHours(0.0));
      MemorySampler memory = new MemorySampler(cluster, id, workers, start);
      DatasetResult result;
      try (ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor()) {
        long every = bench.intOption("sample-seconds", 30);
        sampler.scheduleAtFixedRate(memory::sample, every, every, TimeUnit.SECONDS);
        result = cluster.await(id, Duration.ofHours(6));
        sampler.shutdownNow();
      }
      double wall = (System.nanoTime() - start) / 1e9;
      Cpu used = Cpu.read(server, postgres, workers).minus(before);
      int continuedAsNew =
          client.newUntypedWorkflowStub(id).query("progress", Progress.class).continuedAsNew();
      Histories.Totals imageHistories =
          settled(client, "ImageWorkflow", imagesBefore, count).minus(imagesBefore);
      Histories.Totals datasetHistories =
          settled(client, "DatasetWorkflow", datasetsBefore, continuedAsNew + 1)
              .minus(datasetsBefore);
      DatabaseStats database = null;
      if (postgres != null) {
        Thread.sleep(STATS_SETTLE.toMillis());
        database = postgres.databaseStats().minus(databaseBefore);
      }
      List<Double> peakRss = new ArrayList<>();
      List<Double> retained = new ArrayList<>();
      for (LoupeWorker worker : workers) {
        peakRss.add(worker.peakRssMib());
        retained.add(worker.retainedHeapMib());
      }
      OutputCheck check = OutputCheck.of(images, out);
      return new Case(
          recipe,
          processes,
          count,
          result.counts().accepted(),
          result.counts().rejected(),
          result.counts().failed(),
          wall,
          fake.ledger().paid(),
          continuedAsNew,
          imageHistories,
          datasetHistories.events(),
          database,
          used,
          peakRss,
          retained,
          memory.lines(),
          loadBefore,
          Bench.loadAverage(),
          check.problems().isEmpty() ? "ok" : check.problems().toString());
    } finally {
      for (LoupeWorker worker : workers) {
        worker.close();
      }
    }
  }

  /**
   * The closed histories of a type once visibility lists at least {@code expected} more than {@code
   * before} (their records are written after the workflows close), or after a minute.
   */
  private static Histories.Totals settled(
      WorkflowClient client, String type, Histories.Totals before, long expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    Histories.Totals now = Histories.closed(client, type);
    while (now.executions() - before.executions() < expected && System.nanoTime() < deadline) {
      Thread.sleep(1000);
      now = Histories.closed(client, type);
    }
    return now;
  }

  private static String dir(Path path) {
    return Locations.asDirectory(Locations.file(path)).toString();
  }

  /**
   * CPU time so far, in milliseconds.
   *
   * @param server the Temporal server process
   * @param postgres the postmaster and its connections; -1 without PostgreSQL
   * @param workers the worker JVMs' own CPU, summed
   * @param workerTrees the workers with the processes they started (OCR), summed
   * @param jit of the workers' CPU, that of their live JIT compiler threads, summed (a compiler
   *     thread that ended meanwhile is not counted); negative when unknown
   * @param bench this JVM: the fake endpoint and the client
   */
  private record Cpu(
      long server, long postgres, long workers, long workerTrees, long jit, long bench) {
    static Cpu read(
        TemporalTestServer server, PostgresTemporalServer postgres, List<LoupeWorker> workers)
        throws java.io.IOException {
      long own = 0;
      long trees = 0;
      long jit = 0;
      for (LoupeWorker worker : workers) {
        own += worker.cpuMillis();
        trees += ProcStats.treeCpuMillis(worker.pid());
        long compilers = ProcStats.threadsCpuMillis(worker.pid(), "C1 Compiler");
        long c2 = ProcStats.threadsCpuMillis(worker.pid(), "C2 Compiler");
        jit = jit < 0 || compilers < 0 || c2 < 0 ? -1 : jit + compilers + c2;
      }
      return new Cpu(
          ProcStats.cpuMillis(server.pid()),
          postgres == null ? -1 : ProcStats.treeCpuMillis(postgres.postgresPid()),
          own,
          trees,
          jit,
          ProcStats.cpuMillis(ProcessHandle.current().pid()));
    }

    /** Everything measured: the server, PostgreSQL, the workers and what they started, this JVM. */
    long all() {
      return server + Math.max(0, postgres) + workerTrees + bench;
    }

    Cpu minus(Cpu earlier) {
      return new Cpu(
          server - earlier.server,
          postgres < 0 ? -1 : postgres - earlier.postgres,
          workers - earlier.workers,
          workerTrees - earlier.workerTrees,
          jit < 0 || earlier.jit < 0 ? -1 : jit - earlier.jit,
          bench - earlier.bench);
    }
  }

  /** Images done and each worker's RSS (and live heap) over the run, one line per sample. */
  private final class MemorySampler {
    private final LoupeCluster cluster;
    private final String datasetId;
    private final List<LoupeWorker> workers;
    private final long start;
    private final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final boolean heap = Boolean.parseBoolean(bench.option("heap-samples", "false"));

    MemorySampler(LoupeCluster cluster, String datasetId, List<LoupeWorker> workers, long start) {
      this.cluster = cluster;
      this.datasetId = datasetId;
      this.workers = workers;
      this.start = start;
    }

    void sample() {
      String done;
      try {
        Progress progress =
            cluster.client().newUntypedWorkflowStub(datasetId).query("progress", Progress.class);
        done = Long.toString(progress.done());
      } catch (RuntimeException betweenRuns) {
        done = "?";
      }
      String rss =
          workers.stream()
              .map(w -> Long.toString(ProcStats.rssKib(w.pid()) / 1024))
              .collect(Collectors.joining(" "));
      String line =
          String.format(
              Locale.ROOT,
              "%6.0f s  %7s images done  RSS MiB: %s",
              (System.nanoTime() - start) / 1e9,
              done,
              rss);
      if (heap) {
        line +=
            "  heap after full GC MiB: "
                + workers.stream()
                    .map(w -> String.format(Locale.ROOT, "%.1f", w.retainedHeapMib()))
                    .collect(Collectors.joining(" "));
      }
      line += "  load " + Bench.loadAverage();
      lines.add(line);
      System.err.println("bench: " + line);
    }

    List<String> lines() {
      return List.copyOf(lines);
    }
  }

  /** One case's figures. */
  private record Case(
      String recipe,
      int processes,
      int images,
      long accepted,
      long rejected,
      long failed,
      double wallSeconds,
      long paid,
      int continuedAsNew,
      Histories.Totals imageHistories,
      long datasetEvents,
      DatabaseStats database,
      Cpu cpu,
      List<Double> peakRssMib,
      List<Double> retainedHeapMib,
      List<String> memory,
      String loadBefore,
      String loadAfter,
      String outputs) {
    static final String HEADER =
        "| recipe | worker processes | images | images/s | events per image workflow | dataset"
            + " events | rows added | rows written (ins+upd+del) | KiB added | WAL KiB | Temporal"
            + " server CPU | PostgreSQL CPU | worker CPU (less JIT) | OCR CPU | worker peak RSS MiB"
            + " | heap after full GC MiB | load average before → after |";
    static final String RULE =
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + "---:|---|---|---|";

    double perImage(double value) {
      return value / images;
    }

    void print(String serverDescription, int concurrency) {
      Bench.header(
          "orchestration: "
              + recipe
              + ", "
              + processes
              + " × loupe worker --pool "
              + POOLS
              + " (concurrency "
              + concurrency
              + " each), "
              + serverDescription
              + ", fast endpoint (uniform 1–5 ms)");
      Bench.line(
          "images accepted / rejected / failed",
          "%d / %d / %d of %d",
          accepted,
          rejected,
          failed,
          images);
      Bench.line(
          "wall time (start → result)",
          "%.1f s = %.2f images/s",
          wallSeconds,
          images / wallSeconds);
      Bench.line("calls paid", "%d (%.1f per image)", paid, perImage(paid));
      Bench.line(
          "history events",
          "%.1f per image workflow (%d executions); dataset %.2f per image (%d runs)",
          imageHistories.eventsPerExecution(),
          imageHistories.executions(),
          perImage(datasetEvents),
          continuedAsNew + 1);
      if (database != null) {
        for (String name : List.of("temporal", "temporal_visibility")) {
          DatabaseStats.Table table = database.database(name);
          Bench.line(
              "database " + name,
              "%.1f rows added, %.1f KiB added; written: %.1f inserted, %.1f updated, %.1f"
                  + " deleted (per image)",
              perImage(table.rows()),
              perImage(table.bytes()) / 1024,
              perImage(table.inserted()),
              perImage(table.updated()),
              perImage(table.deleted()));
        }
        Bench.line("WAL written", "%.1f KiB per image", perImage(database.walBytes()) / 1024);
        for (Map.Entry<String, DatabaseStats.Table> entry : database.busiest(6)) {
          DatabaseStats.Table table = entry.getValue();
          Bench.line(
              "  " + entry.getKey(),
              "%.2f ins, %.2f upd, %.2f del, %+.2f rows, %+.2f KiB per image",
              perImage(table.inserted()),
              perImage(table.updated()),
              perImage(table.deleted()),
              perImage(table.rows()),
              perImage(table.bytes()) / 1024);
        }
      }
      Bench.line(
          "Temporal server CPU", "%d ms = %.2f ms per image", cpu.server(), perImage(cpu.server()));
      if (cpu.postgres() >= 0) {
        Bench.line(
            "PostgreSQL CPU",
            "%d ms = %.2f ms per image",
            cpu.postgres(),
            perImage(cpu.postgres()));
      }
      Bench.line(
          "worker CPU (" + processes + " JVMs)",
          "%d ms = %.2f ms per image; less JIT compiler threads %.2f ms (JIT %s)",
          cpu.workers(),
          perImage(cpu.workers()),
          cpu.jit() < 0 ? Double.NaN : perImage(cpu.workers() - cpu.jit()),
          cpu.jit() < 0 ? "unknown" : cpu.jit() + " ms");
      Bench.line(
          "processes the workers started (OCR)",
          "%d ms = %.2f ms per image",
          cpu.workerTrees() - cpu.workers(),
          perImage(cpu.workerTrees() - cpu.workers()));
      Bench.line(
          "bench JVM (fake endpoint, client)",
          "%d ms = %.2f ms per image",
          cpu.bench(),
          perImage(cpu.bench()));
      Bench.line(
          "all of these",
          "%.2f ms per image = %.2f cores busy on average",
          perImage(cpu.all()),
          cpu.all() / 1000.0 / wallSeconds);
      Bench.line("worker peak RSS (VmHWM)", "%s MiB", mib(peakRssMib));
      Bench.line("worker heap after a full GC", "%s MiB (at the end)", mib(retainedHeapMib));
      Bench.line("load average before / after", "%s / %s", loadBefore, loadAfter);
      Bench.line("outputs", "%s", outputs);
      if (!memory.isEmpty()) {
        System.out.println("   memory over the run:");
        memory.forEach(line -> System.out.println("     " + line));
      }
    }

    String row() {
      DatabaseStats.Table all = database == null ? null : database.total();
      return String.format(
          Locale.ROOT,
          "| %s | %d | %,d | %.2f | %.1f | %.2f | %s | %s | %s | %s | %.1f | %s | %.1f (%s) | %.1f |"
              + " %s | %s | %s → %s |",
          recipe,
          processes,
          images,
          images / wallSeconds,
          imageHistories.eventsPerExecution(),
          perImage(datasetEvents),
          all == null ? "–" : String.format(Locale.ROOT, "%.1f", perImage(all.rows())),
          all == null
              ? "–"
              : String.format(
                  Locale.ROOT, "%.1f", perImage(all.inserted() + all.updated() + all.deleted())),
          all == null ? "–" : String.format(Locale.ROOT, "%.1f", perImage(all.bytes()) / 1024),
          database == null
              ? "–"
              : String.format(Locale.ROOT, "%.1f", perImage(database.walBytes()) / 1024),
          perImage(cpu.server()),
          cpu.postgres() < 0 ? "–" : String.format(Locale.ROOT, "%.1f", perImage(cpu.postgres())),
          perImage(cpu.workers()),
          cpu.jit() < 0
              ? "?"
              : String.format(Locale.ROOT, "%.1f", perImage(cpu.workers() - cpu.jit())),
          perImage(cpu.workerTrees() - cpu.workers()),
          mib(peakRssMib),
          mib(retainedHeapMib),
          loadBefore.split(" ")[0],
          loadAfter.split(" ")[0]);
    }

    private static String mib(List<Double> values) {
      return values.stream()
          .map(v -> String.format(Locale.ROOT, "%.0f", v))
          .collect(Collectors.joining(" + "));
    }
  }
}
