package dev.loupe.it;

import dev.loupe.config.ConfigLoader;
import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.TaskQueues;
import dev.loupe.provider.fake.FakeRateLimit;
import dev.loupe.provider.openai.FakeOpenAiServer;
import dev.loupe.provider.openai.FakeReply;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * How much of a provider's requests-per-minute limit a run uses, and how many calls the provider
 * refuses with 429: a dataset of the allava recipe (four model calls per image) against a fake
 * OpenAI-compatible endpoint that enforces the limit as a token bucket holding one second of
 * requests and answers after a fixed latency, with the endpoint configured with the same {@code
 * requestsPerMinute}. Workers of every pool run in this process, on the Temporal server at {@code
 * TEMPORAL_ADDRESS}. Prints the figures; asserts nothing (docs/benchmarks.md).
 *
 * <p>Arguments, all optional: {@code --rpm 300 --minutes 3 --warmup-seconds 30 --latency-ms 800
 * --concurrency 32}. Run it with {@code scripts/benchmark-rate-limit}.
 */
public final class RateLimitBenchmark {
  private RateLimitBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args);
    int rpm = Integer.parseInt(options.getOrDefault("rpm", "300"));
    double minutes = Double.parseDouble(options.getOrDefault("minutes", "3"));
    int warmupSeconds = Integer.parseInt(options.getOrDefault("warmup-seconds", "30"));
    int latencyMillis = Integer.parseInt(options.getOrDefault("latency-ms", "800"));
    int concurrency = Integer.parseInt(options.getOrDefault("concurrency", "32"));
    String address = System.getenv("TEMPORAL_ADDRESS");
    if (address == null || address.isBlank()) {
      throw new IllegalStateException("set TEMPORAL_ADDRESS (scripts/benchmark-rate-limit does)");
    }

    Path work = Files.createTempDirectory("loupe-rate-limit-benchmark");
    double totalMinutes = warmupSeconds / 60.0 + minutes;
    int images = (int) Math.ceil(rpm * totalMinutes / 4 * 1.3) + 50;
    System.out.printf(
        Locale.ROOT,
        "writing %d images; limit %d requests/min, %.1f min measured after %d s, fake latency"
            + " %d ms, concurrency %d%n",
        images,
        rpm,
        minutes,
        warmupSeconds,
        latencyMillis,
        concurrency);
    Path imageDir = InJvmWorkers.writePhotos(work.resolve("images"), images);
    System.out.println("machine: " + machine());

    FakeRateLimit limit = new FakeRateLimit(rpm, 1);
    Duration latency = Duration.ofMillis(latencyMillis);
    try (FakeOpenAiServer fake = FakeOpenAiServer.start()) {
      fake.setRule(
          request ->
              Optional.of(
                  limit.tryAcquire().map(FakeReply::rateLimited).orElse(FakeReply.delay(latency))));
      LoupeConfig config =
          ConfigLoader.load(configFile(work, fake.baseUrl(), rpm, concurrency), Map.of());
      try (InJvmWorkers workers = InJvmWorkers.start(address, config, Map.of())) {
        String id = "rate-limit-benchmark-" + System.currentTimeMillis();
        DatasetWorkflow dataset = workers.dataset(id);
        WorkflowClient.start(
            dataset::run, InJvmWorkers.request(imageDir, work.resolve("out"), 200));
        Backlog backlog = new Backlog(workers.client(), TaskQueues.api("bench"));
        long warmup = Duration.ofSeconds(warmupSeconds).toNanos();
        long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        Long first = null;
        while (System.nanoTime() < end) {
          Thread.sleep(1000);
          if (first == null && limit.admittedCount() > 0) {
            first = limit.admittedAt().getFirst();
            end = first + warmup + (long) (minutes * 60e9);
          }
          if (first != null && System.nanoTime() - first > warmup) {
            backlog.sample();
          }
        }
        report(limit, first, warmupSeconds, minutes, rpm);
        System.out.println(backlog);
        System.out.println("machine: " + machine());
        workers.stopWorkers();
        WorkflowStub.fromTyped(dataset).terminate("benchmark over");
      }
    } finally {
      deleteRecursively(work);
    }
  }

  private static void report(
      FakeRateLimit limit, Long first, int warmupSeconds, double minutes, int rpm) {
    if (first == null) {
      System.out.println("no request reached the fake");
      return;
    }
    long from = first + Duration.ofSeconds(warmupSeconds).toNanos();
    long to = from + (long) (minutes * 60e9);
    List<Long> admitted = limit.admittedAt();
    List<Long> refused = limit.refusedAt();
    long served = admitted.stream().filter(t -> t >= from && t < to).count();
    long refusedInWindow = refused.stream().filter(t -> t >= from && t < to).count();
    long refusedUpToEnd = refused.stream().filter(t -> t < to).count();
    long callsUpToEnd = admitted.stream().filter(t -> t < to).count() + refusedUpToEnd;
    double allowed = rpm * minutes;
    System.out.printf(
        Locale.ROOT,
        "measured window: %.1f min after %d s of warm-up%n"
            + "requests answered (not 429): %d of %.0f allowed = %.1f%% of the limit used%n"
            + "429s in the window: %d of %d calls = %.2f%%%n"
            + "429s from the first call to the window's end: %d of %d calls = %.2f%%%n",
        minutes,
        warmupSeconds,
        served,
        allowed,
        100.0 * served / allowed,
        refusedInWindow,
        served + refusedInWindow,
        100.0 * refusedInWindow / Math.max(1, served + refusedInWindow),
        refusedUpToEnd,
        callsUpToEnd,
        100.0 * refusedUpToEnd / Math.max(1, callsUpToEnd));
  }

  /**
   * The endpoint queue's backlog, sampled: a limit is only used in full while tasks wait for it.
   * When the backlog runs dry, the workflows did not make calls as fast as the limit allows, and
   * the shortfall is not the limiter's.
   */
  private static final class Backlog {
    private final WorkflowClient client;
    private final String queue;
    private long samples;
    private long empty;
    private long total;

    Backlog(WorkflowClient client, String queue) {
      this.client = client;
      this.queue = queue;
    }

    void sample() {
      DescribeTaskQueueResponse response =
          client
              .getWorkflowServiceStubs()
              .blockingStub()
              .describeTaskQueue(
                  DescribeTaskQueueRequest.newBuilder()
                      .setNamespace(client.getOptions().getNamespace())
                      .setTaskQueue(TaskQueue.newBuilder().setName(queue))
                      .setTaskQueueType(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)
                      .setReportStats(true)
                      .build());
      long count = response.getStats().getApproximateBacklogCount();
      samples++;
      total += count;
      if (count == 0) {
        empty++;
      }
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "backlog of %s in the window: %.0f tasks on average, empty in %d of %d samples",
          queue,
          samples == 0 ? 0.0 : (double) total / samples,
          empty,
          samples);
    }
  }

  /** CPUs and load average: other work on the machine slows the workers and the server. */
  private static String machine() {
    String load;
    try {
      load = Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      load = "unknown";
    }
    return Runtime.getRuntime().availableProcessors() + " CPUs, /proc/loadavg " + load;
  }

  private static Path configFile(Path work, String baseUrl, int rpm, int concurrency)
      throws IOException {
    return Files.writeString(
        work.resolve("loupe.yaml"),
        """
        endpoints:
          bench:
            provider: openai-compatible
            baseUrl: %s
            model: fake-model
            maxConcurrency: %d
            requestsPerMinute: %d
        cpuConcurrency: 8
        """
            .formatted(baseUrl, concurrency, rpm));
  }

  private static Map<String, String> options(String[] args) {
    java.util.HashMap<String, String> options = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
