package dev.loupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.BatchProgress;
import dev.loupe.contract.BatchWorkflow;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.provider.openai.FakeOpenAiServer;
import dev.loupe.storage.Locations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The batch lane's benchmarks, against the fake OpenAI Chat Completions and Batch APIs (usage as
 * the fake reports it: prompt tokens from the prompt's length and the image, output from the
 * answer's length):
 *
 * <pre>
 *   cost       per recipe (allava, textsquare): the same images online, in the batch lane, and
 *              online again into a new output with the first run's response cache; cost, tokens
 *              and calls per 1,000 images from each run's stats.json and the fake's counts
 *   batchkill  a large dataset (default 10,000 images) entirely in the batch lane, with the API
 *              and workflows workers killed with SIGKILL twice mid-run; each line must be
 *              submitted once and delivered once
 * </pre>
 *
 * The model is {@code gpt-4.1-mini}, priced by {@code config/prices.yaml} (online 0.40 / 1.60,
 * batch 0.20 / 0.80 USD per million input / output tokens).
 */
final class BatchBench {
  private static final String MODEL = "gpt-4.1-mini";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Bench bench;

  BatchBench(Bench bench) {
    this.bench = bench;
  }

  void cost() throws Exception {
    int count = bench.intOption("images", 200);
    // Noise photos: distinct under every recipe's near-duplicate check, 512 px on the short side.
    Path images =
        ShardExportBenchmark.photos(
            bench.work().resolve("noise-512-" + count), count, 512, 512, true);
    Path work = Bench.freshDirectory(bench.work().resolve("cost"));
    int port;
    try (FakeOpenAiServer probe = FakeOpenAiServer.start(0, Bench.KEY)) {
      port = probe.port();
    }
    try (TemporalTestServer server = bench.devServer("cost");
        LoupeCluster cluster =
            bench.cluster(
                "cost",
                server,
                new BenchConfig("http://127.0.0.1:" + port + "/v1", Bench.KEY_ENV, 32)
                    .withOpenAiBatch("{maxRequests: 2000, maxWaitSeconds: 2, pollSeconds: 2}")
                    .withModel(MODEL))) {
      cluster.startWorker("all");
      Bench.header(
          "cost per 1,000 images, "
              + MODEL
              + ", measured on "
              + count
              + " images (usage as the fake OpenAI server reports it)");
      System.out.printf(
          "   %-11s %-7s %10s %10s %12s %12s %12s %8s %8s%n",
          "recipe",
          "run",
          "calls",
          "accepted",
          "input tok",
          "output tok",
          "cached tok",
          "USD",
          "saved");
      for (String recipe : new String[] {"allava", "textsquare"}) {
        String cache = dir(work.resolve(recipe + "-cache"));
        Run online =
            run(cluster, port, recipe, null, cache, images, work.resolve(recipe + "-online"));
        Run batch =
            run(
                cluster,
                port,
                recipe,
                "batch",
                dir(work.resolve(recipe + "-batch-cache")),
                images,
                work.resolve(recipe + "-batch"));
        Run cached =
            run(cluster, port, recipe, null, cache, images, work.resolve(recipe + "-rerun"));
        for (Run each : new Run[] {online, batch, cached}) {
          each.print(recipe, count);
        }
        Bench.line(
            recipe + " batch / online cost",
            "%.1f %%  (same tokens: %s)",
            100 * batch.costUsd / online.costUsd,
            batch.inputTokens == online.inputTokens && batch.outputTokens == online.outputTokens
                ? "yes"
                : "no");
        Bench.line(
            recipe + " cached rerun calls", "%d  (cost %.6f USD)", cached.calls, cached.costUsd);
      }
    }
  }

  private record Run(
      String lane,
      int calls,
      long accepted,
      long inputTokens,
      long outputTokens,
      long cachedTokens,
      double costUsd,
      double savedUsd) {
    void print(String recipe, int count) {
      double per = 1000.0 / count;
      System.out.printf(
          java.util.Locale.ROOT,
          "   %-11s %-7s %10.0f %10.0f %12.0f %12.0f %12.0f %8.4f %8.4f%n",
          recipe,
          lane,
          calls * per,
          accepted * per,
          inputTokens * per,
          outputTokens * per,
          cachedTokens * per,
          costUsd * per,
          savedUsd * per);
    }
  }

  /**
   * One dataset against a fresh fake on {@code port} (so that its prompt-cache counts start from
   * nothing, as a provider's would for a new run hours later).
   */
  private Run run(
      LoupeCluster cluster,
      int port,
      String recipe,
      String lane,
      String cache,
      Path images,
      Path out)
      throws Exception {
    try (FakeOpenAiServer fake = FakeOpenAiServer.start(port, Bench.KEY)) {
      DatasetRequest request =
          DatasetRequest.of(dir(images), dir(Bench.freshDirectory(out)))
              .withRecipe(recipe)
              .withWindow(bench.intOption("window", 256))
              .withFailedWaitHours(0.0)
              .withCache(cache);
      if (lane != null) {
        request = request.withLane(lane);
      }
      String id =
          "cost-" + recipe + "-" + (lane == null ? "online" : lane) + "-" + System.nanoTime();
      cluster.startDataset(id, request);
      DatasetResult result = cluster.await(id, Duration.ofHours(2));
      JsonNode stats = JSON.readTree(out.resolve("stats.json").toFile());
      JsonNode tokens = stats.path("tokens");
      String name =
          lane != null
              ? lane
              : stats.path("cache").path("calls").asLong() > 0 ? "cached" : "online";
      return new Run(
          name,
          fake.requestCount(),
          result.counts().accepted(),
          tokens.path("input").asLong(),
          tokens.path("output").asLong(),
          tokens.path("cached_input").asLong(),
          stats.path("cost_usd").asDouble(),
          stats.path("saved_usd").asDouble());
    }
  }

  void batchKill() throws Exception {
    int count = bench.intOption("images", 10_000);
    int window = bench.intOption("window", 2000);
    Path images = BenchImages.ensure(bench.work().resolve("images-512-" + count), count);
    Path out = Bench.freshDirectory(bench.work().resolve("batchkill").resolve("out"));
    try (FakeOpenAiServer fake = FakeOpenAiServer.start(0, Bench.KEY);
        TemporalTestServer server = bench.devServer("batchkill");
        LoupeCluster cluster =
            bench.cluster(
                "batchkill",
                server,
                new BenchConfig(fake.baseUrl(), Bench.KEY_ENV, 32)
                    .withOpenAiBatch(
                        "{maxRequests: "
                            + bench.intOption("max-requests", 2000)
                            + ", maxWaitSeconds: 5, pollSeconds: 2}")
                    .withModel(MODEL))) {
      LoupeWorker workflows = cluster.startWorker("workflows");
      cluster.startWorker("cpu");
      LoupeWorker api = cluster.startWorker("api");
      int lines = count * 4;
      long start = System.nanoTime();
      String id = "batchkill-" + System.nanoTime();
      cluster.startDataset(
          id,
          DatasetRequest.of(dir(images), dir(out))
              .withRecipe("allava")
              .withLane("batch")
              .withWindow(window)
              .withFailedWaitHours(0.0));
      int[] kills = new int[2];
      for (int k = 0; k < 2; k++) {
        double share = k == 0 ? 0.3 : 0.6;
        while (fake.batches().linesReceived().size() < share * lines) {
          Thread.sleep(500);
        }
        kills[k] = fake.batches().linesReceived().size();
        api.kill();
        workflows.kill();
        System.err.printf("batchkill: SIGKILL %d at %d lines received%n", k + 1, kills[k]);
        workflows = cluster.startWorker("workflows");
        api = cluster.startWorker("api");
      }
      DatasetResult result = cluster.await(id, Duration.ofHours(3));
      double wall = (System.nanoTime() - start) / 1e9;
      BatchProgress lane =
          cluster
              .client()
              .newUntypedWorkflowStub(BatchWorkflow.workflowId(id, BenchConfig.ENDPOINT))
              .getResult(5, java.util.concurrent.TimeUnit.MINUTES, BatchProgress.class);
      Map<String, Integer> received = fake.batches().linesReceived();
      long twice = received.values().stream().filter(n -> n > 1).count();
      Histories.Totals imageHistories = Histories.of(cluster.client(), "ImageWorkflow");
      Bench.header("batch lane, " + count + " images (allava, 4 lines each), two SIGKILLs");
      Bench.line("images accepted / listed", "%d / %d", result.counts().accepted(), count);
      Bench.line("distinct lines received", "%d  (expected %d)", received.size(), lines);
      Bench.line("lines received more than once", "%d", twice);
      Bench.line(
          "lines delivered (batch workflow)",
          "%d done, %d failed",
          lane.linesDone(),
          lane.linesFailed());
      Bench.line("batches created", "%d", fake.batches().batchesCreated());
      Bench.line("kills at lines received", "%d, %d", kills[0], kills[1]);
      Bench.line("wall time", "%.0f s  (%.1f images/s)", wall, count / wall);
      Bench.line(
          "history events per image",
          "%.1f  (%d image workflows)",
          imageHistories.eventsPerExecution(),
          imageHistories.executions());
    }
  }

  private static String dir(Path path) {
    return Locations.asDirectory(Locations.file(path)).toString();
  }
}
