package dev.loupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.TaskQueues;
import dev.loupe.recipe.ConfigFiles;
import dev.loupe.storage.Locations;
import io.temporal.api.enums.v1.TaskQueueKind;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code scripts/bench captioner}: captions per second through Loupe's captioner pool against a
 * direct client ({@code scripts/engine-bench}) on one engine, at the same concurrency, with the
 * same images, prompt, model and output limit. For each slot count S: the direct client with S
 * requests in flight, then a {@code loupe worker --pool captioner --batch-slots S} attached to the
 * engine captioning a dataset of the same images (the workflows and CPU pools in a worker of their
 * own, as on a GPU host, where they run elsewhere).
 *
 * <p>The engine runs once for all levels, started from {@code --engine-command} ({@code {port}} is
 * replaced by a free port) in a process group of its own, stopped as a group at the end. The
 * default is {@code scripts/engine-serve foreground --port {port} -- --no-enable-prefix-caching
 * --mm-processor-cache-gb 0} (the tiny untrained model of docs/engine.md, on CPU); on a GPU host,
 * e.g. {@code --engine-command "vllm serve /models/m --port {port} --max-num-seqs 64
 * --no-enable-prefix-caching --mm-processor-cache-gb 0"}. Both caches are off because both clients
 * send the same images: otherwise whichever runs second would be served from the first's
 * preprocessed images and prefixes.
 *
 * <p>What is compared is whether the pool keeps the engine as full as a client that always has S
 * requests out: the dataset is started first and the captioner worker only once its describe tasks
 * are all queued (on a GPU host, probing runs on CPU hosts ahead of the captioner; here it would
 * share the engine's two cores). Loupe's rate is the captions over the span from its first caption
 * activity to its last caption back (sampled every 50 ms from the worker's metrics); the direct
 * client's is its captions over its run. Beside each, the engine's batch ({@link EngineOccupancy}):
 * the mean and peak of vLLM's {@code vllm:num_requests_running}; and the engine's compute over the
 * same span ({@link EngineCpu}): CPU cores busy, run delay (seconds its threads waited for a CPU
 * per second) and CPU milliseconds per caption.
 *
 * <p>Options: {@code --images N} (96), {@code --slots 1,2,4,8,16,32}, {@code --max-tokens T} (64),
 * {@code --engine-command CMD}, {@code --startup-seconds S} (900), {@code --repeat R} (1: pairs of
 * direct then Loupe per slot count, interleaved), {@code --engine-cpus LIST} and {@code
 * --client-cpus LIST} (CPU lists as {@code taskset -c} takes them; default: no pinning), {@code
 * --engine-nice N} and {@code --client-nice N} (the niceness of the engine's session, and of this
 * JVM's session with Loupe's processes and the direct client; default: unchanged).
 *
 * <p>On a CPU engine the engine and Loupe's processes share the host's cores, so Loupe's JVMs and
 * the dev server slow the engine down in Loupe's runs but not in the direct client's. With {@code
 * --engine-cpus} the engine's process group runs under {@code taskset -c LIST} with {@code
 * VLLM_CPU_OMP_THREADS_BIND=LIST} (vLLM's CPU build binds its OpenMP threads to that list); with
 * {@code --client-cpus} this benchmark's JVM pins all its threads to that list before it starts
 * anything, so the dev server, both Loupe workers and {@code scripts/engine-bench} inherit it. The
 * engine then gets the same compute in both runs, and the comparison measures whether Loupe keeps
 * it fed. Where each process may run is printed ({@link Placement}). On a host shared with other
 * work, that work still lands on the engine's CPUs; {@code --engine-nice -10} puts the engine ahead
 * of it, {@code --client-nice -10} does the same for Loupe's processes and the direct client on
 * theirs, and the engine's CPU time and run delay per run ({@link EngineCpu}) show what share it
 * got.
 */
final class CaptionerBench {
  private static final String RECIPE = "bench-captioner";
  private static final String TEMPLATE = "sharegpt4v-captioner/describe-en-1";
  private static final Pattern DIRECT =
      Pattern.compile(
          "concurrency (\\d+): ([0-9.]+) captions/s, ([0-9.]+) output tokens/s.*?([0-9.]+) output"
              + " and ([0-9.]+) prompt tokens per caption");

  private final Bench bench;
  private final Path repository;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  CaptionerBench(Bench bench) {
    this.bench = bench;
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isExecutable(dir.resolve("scripts/engine-bench"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("run from the repository (scripts/bench captioner)");
    }
    this.repository = dir;
  }

  /** One client's run at one concurrency. */
  private record Run(
      double captionsPerSecond,
      double outputTokens,
      double promptTokens,
      double meanRunning,
      double peakRunning,
      long captions,
      double engineCores,
      double engineRunDelay,
      double engineCpuPerCaption) {}

  /** One level's figures, and the load average before it. */
  private record Level(int slots, int round, String load, Run direct, Run loupe) {}

  void run() throws Exception {
    int count = bench.intOption("images", 96);
    int maxTokens = bench.intOption("max-tokens", 64);
    int repeat = bench.intOption("repeat", 1);
    String engineCpus = bench.option("engine-cpus", "");
    String clientCpus = bench.option("client-cpus", "");
    String engineNice = bench.option("engine-nice", "");
    String clientNice = bench.option("client-nice", "");
    if (!clientNice.isEmpty()) {
      Placement.niceOwnSession(clientNice);
    }
    if (!clientCpus.isEmpty()) {
      Placement.pinAllThreads(ProcessHandle.current().pid(), clientCpus);
    }
    List<Integer> levels = new ArrayList<>();
    for (String slots : bench.option("slots", "1,2,4,8,16,32").split(",")) {
      levels.add(Integer.parseInt(slots.strip()));
    }
    Path work = Bench.freshDirectory(bench.work().resolve("captioner"));
    Path images = bench.images(count);
    Path config = work.resolve("config");
    Files.createDirectories(config.resolve("recipes"));
    Files.writeString(
        config.resolve("recipes").resolve(RECIPE + ".yaml"),
        """
        name: %s
        description: The captioner pool's throughput benchmark (scripts/bench captioner).
        probe:
          minShortSide: 224
        stages:
          describe:
            pool: captioner
            templates: [%s]
            maxOutputTokens: %d
        """
            .formatted(RECIPE, TEMPLATE, maxTokens));
    String prompt =
        ConfigFiles.builtIn()
            .read("prompts/" + TEMPLATE + ".txt")
            .orElseThrow(() -> new IllegalStateException("no built-in prompt " + TEMPLATE))
            .strip();

    int port = freePort();
    String engineCommand =
        bench
            .option(
                "engine-command",
                repository.resolve("scripts/engine-serve")
                    + " foreground --port {port} -- --no-enable-prefix-caching"
                    + " --mm-processor-cache-gb 0")
            .replace("{port}", Integer.toString(port));
    String url = "http://127.0.0.1:" + port + "/v1";
    List<Level> results = new ArrayList<>();
    try (Engine engine =
        Engine.start(engineCommand, engineCpus, engineNice, work.resolve("engine.log"))) {
      long started = System.nanoTime();
      String model = engine.awaitServing(url, http, bench.intOption("startup-seconds", 900));
      System.err.printf(
          "bench: engine serves %s at %s after %d s%n",
          model, url, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
      long engineGroup = engine.process().pid();
      System.err.println("bench: engine placement:\n" + Placement.group(engineGroup));
      try (TemporalTestServer server = bench.devServer("captioner");
          LoupeCluster cluster =
              bench.cluster(
                  "captioner",
                  server,
                  new BenchConfig("http://127.0.0.1:9/v1", Bench.KEY_ENV, 1))) {
        cluster.startWorker("workflows,cpu", config);
        for (int slots : levels) {
          for (int round = 1; round <= repeat; round++) {
            String load = Bench.loadAverage();
            Run direct = direct(url, model, slots, images, count, prompt, maxTokens, engineGroup);
            Run loupe = loupe(cluster, config, url, slots, images, count, work, engineGroup);
            results.add(new Level(slots, round, load, direct, loupe));
            System.err.println(
                "bench: " + results.get(results.size() - 1) + " load after " + Bench.loadAverage());
          }
        }
      }
    }
    Bench.header(
        "captioner pool on "
            + engineCommand.replace(repository + "/", "")
            + ": "
            + count
            + " images, at most "
            + maxTokens
            + " output tokens, prompt \""
            + prompt
            + "\""
            + (engineCpus.isEmpty() ? "" : ", engine on CPUs " + engineCpus)
            + (clientCpus.isEmpty() ? "" : ", Loupe and the direct client on CPUs " + clientCpus)
            + (engineNice.isEmpty() ? "" : ", engine at niceness " + engineNice)
            + (clientNice.isEmpty()
                ? ""
                : ", Loupe and the direct client at niceness " + clientNice));
    System.out.printf(
        "   %5s  %5s  %10s  %10s  %7s  %17s  %17s  %15s  %14s  %15s  %15s  %17s  %s%n",
        "slots",
        "round",
        "direct c/s",
        "Loupe c/s",
        "Loupe %",
        "running dir/Loupe",
        "peak dir/Loupe",
        "out tok dir/L",
        "prompt tok d/L",
        "engine CPU d/L",
        "run delay d/L",
        "CPU ms/capt d/L",
        "load before");
    for (Level level : results) {
      Run direct = level.direct();
      Run loupe = level.loupe();
      System.out.printf(
          "   %5d  %5d  %10.2f  %10.2f  %6.1f%%  %7.1f / %-7.1f  %7.0f / %-7.0f  %6.1f / %-6.1f"
              + "  %6.1f / %-6.1f  %6.2f / %-6.2f  %6.2f / %-6.2f  %7.1f / %-7.1f  %s%s%n",
          level.slots(),
          level.round(),
          direct.captionsPerSecond(),
          loupe.captionsPerSecond(),
          100 * loupe.captionsPerSecond() / direct.captionsPerSecond(),
          direct.meanRunning(),
          loupe.meanRunning(),
          direct.peakRunning(),
          loupe.peakRunning(),
          direct.outputTokens(),
          loupe.outputTokens(),
          direct.promptTokens(),
          loupe.promptTokens(),
          direct.engineCores(),
          loupe.engineCores(),
          direct.engineRunDelay(),
          loupe.engineRunDelay(),
          1000 * direct.engineCpuPerCaption(),
          1000 * loupe.engineCpuPerCaption(),
          level.load(),
          loupe.captions() == count ? "" : "  (" + loupe.captions() + " accepted)");
    }
    if (repeat > 1) {
      System.out.printf("   %5s  %10s  %10s  %7s%n", "slots", "direct c/s", "Loupe c/s", "Loupe %");
      for (int slots : levels) {
        double direct = 0;
        double loupe = 0;
        for (Level level : results) {
          if (level.slots() == slots) {
            direct += level.direct().captionsPerSecond() / repeat;
            loupe += level.loupe().captionsPerSecond() / repeat;
          }
        }
        System.out.printf(
            "   %5d  %10.2f  %10.2f  %6.1f%%  (means of %d rounds)%n",
            slots, direct, loupe, 100 * loupe / direct, repeat);
      }
    }
  }

  /** The direct client's run at {@code slots} requests in flight. */
  private Run direct(
      String url,
      String model,
      int slots,
      Path images,
      int count,
      String prompt,
      int maxTokens,
      long engineGroup)
      throws IOException, InterruptedException {
    String output;
    try (EngineOccupancy occupancy = EngineOccupancy.start(http, url)) {
      EngineCpu before = EngineCpu.read(engineGroup);
      Process process =
          new ProcessBuilder(
                  repository.resolve("scripts/engine-bench").toString(),
                  "--url",
                  url,
                  "captions",
                  "--concurrency",
                  Integer.toString(slots),
                  "--images",
                  images.toString(),
                  "--prompt",
                  prompt,
                  "--natural-stop",
                  "--max-tokens",
                  Integer.toString(maxTokens),
                  "--model",
                  model)
              .redirectErrorStream(true)
              .start();
      output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        throw new IllegalStateException("engine-bench failed:\n" + output);
      }
      EngineCpu after = EngineCpu.read(engineGroup);
      System.err.print("bench: direct: " + output);
      Matcher figures = DIRECT.matcher(output);
      if (!figures.find()) {
        throw new IllegalStateException("engine-bench printed no figures:\n" + output);
      }
      occupancy.stop();
      return new Run(
          Double.parseDouble(figures.group(2)),
          Double.parseDouble(figures.group(4)),
          Double.parseDouble(figures.group(5)),
          occupancy.meanRunning(),
          occupancy.peakRunning(),
          -1,
          after.coresBusySince(before),
          after.runDelaySince(before),
          after.cpuPerCaptionSince(before, count));
    }
  }

  /**
   * Loupe's run at {@code slots}: the dataset first, then, once its describe tasks are all queued,
   * a captioner worker attached to the engine.
   */
  private Run loupe(
      LoupeCluster cluster,
      Path config,
      String url,
      int slots,
      Path images,
      int count,
      Path work,
      long engineGroup)
      throws Exception {
    String id = "bench-captioner-" + slots + "-" + System.currentTimeMillis();
    Path out = Bench.freshDirectory(work.resolve("out-" + id));
    cluster.startDataset(
        id,
        new DatasetRequest(
            Locations.asDirectory(Locations.file(images)).toString(),
            Locations.asDirectory(Locations.file(out)).toString(),
            RECIPE,
            null,
            count,
            null,
            null));
    CompletableFuture<DatasetResult> finished =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return cluster.await(id, Duration.ofMinutes(30));
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            });
    awaitCaptionerBacklog(cluster, count, finished);

    int metricsPort = freePort();
    LoupeWorker captioner =
        cluster.startWorker(
            "captioner",
            config,
            "--model-url",
            url,
            "--batch-slots",
            Integer.toString(slots),
            "--metrics-port",
            Integer.toString(metricsPort));
    try (EngineOccupancy occupancy = EngineOccupancy.start(http, url)) {
      // The busy span: from the first caption activity running to the last caption back.
      long first = 0;
      long last;
      EngineCpu atFirst = null;
      EngineCpu atLast;
      double inFlightSum = 0;
      long inFlightSamples = 0;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
      while (true) {
        String text = scrape(metricsPort);
        long now = System.nanoTime();
        double done = sum(text, "loupe_model_calls_total", "outcome=\"ok\"");
        if (first == 0
            && (sum(text, "loupe_activities_in_flight", "pool=\"captioner\"") > 0 || done > 0)) {
          first = now;
          atFirst = EngineCpu.read(engineGroup);
        }
        if (first != 0) {
          inFlightSum += sum(text, "loupe_activities_in_flight", "pool=\"captioner\"");
          inFlightSamples++;
          if (inFlightSamples == 40) {
            // Mid-run, with every process started: where each may run, and where it last ran.
            System.err.println(
                "bench: placement during Loupe's run:\n"
                    + Placement.descendants(ProcessHandle.current().pid(), engineGroup)
                    + Placement.group(engineGroup));
          }
        }
        if (done >= count) {
          last = now;
          atLast = EngineCpu.read(engineGroup);
          break;
        }
        if (finished.isDone() || now - deadline > 0) {
          throw new IllegalStateException(
              "the dataset ended with "
                  + (long) done
                  + " of "
                  + count
                  + " captions (see "
                  + out
                  + "): "
                  + captioner.logs());
        }
        Thread.sleep(50);
      }
      occupancy.stop();
      System.err.printf(
          "bench: Loupe at %d slots: %.1f caption activities in flight (at the engine or queued for"
              + " a slot) on average over its span%n",
          slots, inFlightSum / Math.max(1, inFlightSamples));
      DatasetResult result = finished.join();
      double outputTokens = 0;
      double promptTokens = 0;
      List<String> lines = Files.readAllLines(out.resolve("samples.jsonl"));
      for (String line : lines) {
        JsonNode usage = json.readTree(line).path("usage");
        outputTokens += usage.path("output_tokens").asDouble();
        promptTokens += usage.path("input_tokens").asDouble();
      }
      return new Run(
          count / ((last - first) / 1e9),
          outputTokens / Math.max(1, lines.size()),
          promptTokens / Math.max(1, lines.size()),
          occupancy.meanRunning(),
          occupancy.peakRunning(),
          result.counts().accepted(),
          atLast.coresBusySince(atFirst),
          atLast.runDelaySince(atFirst),
          atLast.cpuPerCaptionSince(atFirst, count));
    } finally {
      captioner.close();
    }
  }

  /** Waits until {@code loupe-captioner} holds the dataset's {@code count} describe tasks. */
  private static void awaitCaptionerBacklog(
      LoupeCluster cluster, int count, CompletableFuture<DatasetResult> finished)
      throws InterruptedException {
    WorkflowServiceStubs service = cluster.client().getWorkflowServiceStubs();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    long backlog = 0;
    while (backlog < count) {
      if (finished.isDone() || System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            "loupe-captioner holds " + backlog + " of the " + count + " describe tasks");
      }
      Thread.sleep(250);
      backlog =
          service
              .blockingStub()
              .describeTaskQueue(
                  DescribeTaskQueueRequest.newBuilder()
                      .setNamespace("default")
                      .setTaskQueue(
                          TaskQueue.newBuilder()
                              .setName(TaskQueues.CAPTIONER)
                              .setKind(TaskQueueKind.TASK_QUEUE_KIND_NORMAL))
                      .setTaskQueueType(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)
                      .setReportStats(true)
                      .build())
              .getStats()
              .getApproximateBacklogCount();
    }
  }

  private String scrape(int port) throws IOException, InterruptedException {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** The sum of a metric's samples whose labels contain {@code label} (Prometheus text). */
  private static double sum(String text, String name, String label) {
    double total = 0;
    for (String line : text.split("\n")) {
      if ((line.startsWith(name + "{") || line.startsWith(name + " ")) && line.contains(label)) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The engine, in a session and process group of its own; closing stops the whole group. */
  private record Engine(Process process) implements AutoCloseable {
    /**
     * Starts {@code command}; with {@code cpus} (a {@code taskset -c} list) the whole group runs on
     * those CPUs and vLLM's CPU build binds its OpenMP threads to them; with {@code nice} it runs
     * at that niceness (negative: ahead of other processes on those CPUs; needs root), and so does
     * its session's autogroup: with {@code kernel.sched_autogroup_enabled} the scheduler shares a
     * CPU between sessions first, and a process's niceness counts only within its session.
     */
    static Engine start(String command, String cpus, String nice, Path log) throws IOException {
      List<String> argv = new ArrayList<>();
      if (!nice.isEmpty()) {
        argv.addAll(List.of("nice", "-n", nice));
      }
      if (!cpus.isEmpty()) {
        argv.addAll(List.of("taskset", "-c", cpus));
      }
      // taskset execs setsid, which (not a group leader) execs the shell: one pid, the group's.
      argv.addAll(List.of("setsid", "/bin/sh", "-c", "exec " + command));
      ProcessBuilder builder =
          new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
      if (!cpus.isEmpty()) {
        builder.environment().put("VLLM_CPU_OMP_THREADS_BIND", cpus);
      }
      Process process = builder.start();
      if (!nice.isEmpty()) {
        Placement.niceSession(process.pid(), nice);
      }
      return new Engine(process);
    }

    /** Waits until {@code /health} answers and {@code /models} lists a model; returns it. */
    String awaitServing(String url, HttpClient http, int seconds) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      String root = url.substring(0, url.length() - "/v1".length());
      while (System.nanoTime() - deadline < 0) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the engine exited with code " + process.exitValue());
        }
        try {
          if (http.send(
                      HttpRequest.newBuilder(URI.create(root + "/health")).build(),
                      HttpResponse.BodyHandlers.discarding())
                  .statusCode()
              == 200) {
            JsonNode models =
                new ObjectMapper()
                    .readTree(
                        http.send(
                                HttpRequest.newBuilder(URI.create(url + "/models")).build(),
                                HttpResponse.BodyHandlers.ofString())
                            .body());
            String id = models.path("data").path(0).path("id").asText("");
            if (!id.isEmpty()) {
              return id;
            }
          }
        } catch (IOException notYet) {
          // Not listening yet.
        }
        Thread.sleep(1000);
      }
      throw new IllegalStateException("the engine did not answer within " + seconds + " s");
    }

    @Override
    public void close() throws IOException {
      try {
        signal("TERM");
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          signal("KILL");
        }
        // Its engine processes may outlive it by a moment; they are in its group.
        Thread.sleep(2000);
        signal("KILL");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }

    private void signal(String name) throws IOException, InterruptedException {
      new ProcessBuilder("kill", "-" + name, "--", "-" + process.pid())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor();
    }
  }
}
