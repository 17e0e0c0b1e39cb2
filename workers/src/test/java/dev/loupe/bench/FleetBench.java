package dev.loupe.bench;

import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.TokenBudgetState;
import dev.loupe.contract.TokenBudgetWorkflow;
import dev.loupe.provider.fake.FakeRateLimit;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Limits shared by the fleet ({@code scripts/bench fleet}): the benchmark recipe through 1, 2 and 4
 * {@code loupe worker --pool api} processes (plus one workflows and CPU worker) against an endpoint
 * that enforces, in turn, a binding requests-per-minute limit (429 beyond, a second's burst) and a
 * binding tokens-per-minute limit (429 beyond, a minute's worth of input plus output tokens), each
 * configured on the endpoint as Loupe's {@code requestsPerMinute} or {@code tokensPerMinute}. Once
 * half of the images' calls are answered, one API worker is SIGKILLed (with a single one, a fresh
 * one replaces it). Prints, per run: the share of the limit used between 10 % and 90 % of the span
 * of admitted calls, the share of calls answered 429, and images accepted against images started.
 *
 * <p>Options: {@code --processes 1,2,4}, {@code --limits rpm,tpm}, {@code --rpm 300}, {@code --tpm
 * 60000}, {@code --images 240}, {@code --concurrency 16}, {@code --median-ms 800}, {@code --p99-ms
 * 4000}.
 */
final class FleetBench {
  private final Bench bench;

  FleetBench(Bench bench) {
    this.bench = bench;
  }

  void run() throws Exception {
    List<Integer> processes = new ArrayList<>();
    for (String count : bench.option("processes", "1,2,4").split(",")) {
      processes.add(Integer.parseInt(count.strip()));
    }
    for (String limit : bench.option("limits", "rpm,tpm").split(",")) {
      for (int count : processes) {
        run(limit.strip(), count);
      }
    }
  }

  private void run(String limit, int processes) throws Exception {
    boolean tokens =
        switch (limit) {
          case "rpm" -> false;
          case "tpm" -> true;
          default -> throw new IllegalArgumentException("--limits takes rpm and tpm: " + limit);
        };
    int rpm = bench.intOption("rpm", 300);
    int tpm = bench.intOption("tpm", 60_000);
    int count = bench.intOption("images", 240);
    int concurrency = bench.intOption("concurrency", 16);
    Latency latency =
        new Latency.LogNormal(bench.intOption("median-ms", 800), bench.intOption("p99-ms", 4000));
    FakeRateLimit requests = new FakeRateLimit(rpm, 1.0);
    FakeTokenRateLimit budget = new FakeTokenRateLimit(tpm);
    String scenario = "fleet-" + limit + "-" + processes;
    Instant startedAt = Instant.now();
    Path images = bench.images(count);
    Path out = Bench.freshDirectory(bench.work().resolve(scenario).resolve("out"));
    try (FakeBenchEndpoint fake = bench.fake(latency)) {
      BenchConfig config = bench.config(fake, concurrency);
      if (tokens) {
        fake.tokenAdmission(budget::tryAcquire);
        config = config.withTokensPerMinute(tpm);
      } else {
        fake.admission(requests::tryAcquire);
        config = config.withRequestsPerMinute(rpm);
      }
      try (TemporalTestServer server = bench.devServer(scenario);
          LoupeCluster cluster = bench.cluster(scenario, server, config)) {
        cluster.startWorker("workflows,cpu");
        List<LoupeWorker> api = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
          api.add(cluster.startWorker("api"));
        }
        fake.ledger().reset();
        String id =
            cluster.startDataset(
                scenario + "-" + System.currentTimeMillis(),
                images,
                out,
                bench.intOption("window", 64));
        long killAt = (long) count * BenchConfig.CALLS_PER_IMAGE / 2;
        while (fake.ledger().paid() < killAt) {
          Thread.sleep(200);
        }
        String leases = tokens ? leases(cluster) : "";
        api.getFirst().kill();
        long killedAt = System.nanoTime();
        if (processes == 1) {
          cluster.startWorker("api");
        }
        DatasetResult result = cluster.await(id, Duration.ofHours(1));
        Bench.header(
            limit.toUpperCase(java.util.Locale.ROOT)
                + " binding: "
                + (tokens ? tpm + " tokens/minute" : rpm + " requests/minute")
                + ", "
                + processes
                + " API worker process(es), concurrency "
                + concurrency
                + " each, "
                + latency
                + "; one API worker SIGKILLed after "
                + killAt
                + " answers");
        double used =
            tokens ? tokenShare(budget.admitted(), tpm) : requestShare(requests.admittedAt(), rpm);
        Bench.line("limit used (10–90 % of span)", "%.1f %%", 100 * used);
        if (tokens) {
          Bench.line(
              "of what the bucket allowed there",
              "%.1f %%",
              100 * allowedShare(budget.admitted(), tpm));
          Bench.line(
              "fake's bucket at 10/30/50/70/90 % of span",
              "%s of %d", levels(budget.admitted()), tpm);
        }
        Bench.line(
            "429 share",
            "%d of %d calls = %.2f %%",
            fake.ledger().status(429),
            fake.ledger().received(),
            100.0 * fake.ledger().status(429) / Math.max(1, fake.ledger().received()));
        Bench.line(
            "images accepted / started",
            "%d / %d (rejected %d, failed %d)",
            result.counts().accepted(),
            count,
            result.counts().rejected(),
            result.counts().failed());
        Bench.line(
            "calls paid / paid twice", "%d / %d", fake.ledger().paid(), fake.ledger().repaid());
        Bench.line("span of calls", "%.1f s", fake.ledger().spanSeconds());
        Bench.line(
            "run (UTC)",
            "%s to %s",
            startedAt.truncatedTo(ChronoUnit.SECONDS),
            Instant.now().truncatedTo(ChronoUnit.SECONDS));
        Bench.line("kill at", "%.1f s before the end", (System.nanoTime() - killedAt) / 1e9);
        if (tokens) {
          Bench.line("leases before the kill", "%s", leases);
        }
      }
    }
  }

  /** The leases the endpoint's TokenBudgetWorkflow holds, as it answers its query. */
  private static String leases(LoupeCluster cluster) {
    TokenBudgetState state =
        cluster
            .client()
            .newWorkflowStub(
                TokenBudgetWorkflow.class, TokenBudgetWorkflow.workflowId(BenchConfig.ENDPOINT))
            .leases();
    StringBuilder text = new StringBuilder();
    for (TokenBudgetState.Holder holder : state.holders()) {
      text.append(holder.granted()).append(' ');
    }
    return text.append("of ").append(state.tokensPerMinute()).toString();
  }

  private static double requestShare(List<Long> admitted, int rpm) {
    if (admitted.size() < 2) {
      return 0;
    }
    long first = admitted.getFirst();
    long span = admitted.getLast() - first;
    long from = first + span / 10;
    long to = first + span * 9 / 10;
    long inWindow = admitted.stream().filter(t -> t >= from && t < to).count();
    return inWindow / (rpm * (to - from) / 60e9);
  }

  /**
   * Tokens admitted between 10 % and 90 % of the span over what the endpoint's bucket allowed
   * there: what it held at the window's first admission plus its refill to the window's end.
   */
  private static double allowedShare(List<long[]> admitted, int tpm) {
    if (admitted.size() < 2) {
      return 0;
    }
    long first = admitted.getFirst()[0];
    long span = admitted.getLast()[0] - first;
    long from = first + span / 10;
    long to = first + span * 9 / 10;
    long start = -1;
    long held = 0;
    long inWindow = 0;
    for (long[] call : admitted) {
      if (call[0] >= from && call[0] < to) {
        if (start < 0) {
          start = call[0];
          held = call[2];
        }
        inWindow += call[1];
      }
    }
    return start < 0 ? 0 : inWindow / (held + tpm * (to - start) / 60e9);
  }

  /**
   * What the endpoint's bucket held at the first admission after each tenth of the span named: what
   * the fleet left unspent of what the provider allowed.
   */
  private static String levels(List<long[]> admitted) {
    if (admitted.size() < 2) {
      return "-";
    }
    long first = admitted.getFirst()[0];
    long span = admitted.getLast()[0] - first;
    StringBuilder text = new StringBuilder();
    int next = 0;
    int[] tenths = {1, 3, 5, 7, 9};
    for (long[] call : admitted) {
      if (next < tenths.length && call[0] >= first + span * tenths[next] / 10) {
        text.append(next == 0 ? "" : " / ").append(call[2]);
        next++;
      }
    }
    return text.toString();
  }

  private static double tokenShare(List<long[]> admitted, int tpm) {
    if (admitted.size() < 2) {
      return 0;
    }
    long first = admitted.getFirst()[0];
    long span = admitted.getLast()[0] - first;
    long from = first + span / 10;
    long to = first + span * 9 / 10;
    long inWindow = 0;
    for (long[] call : admitted) {
      if (call[0] >= from && call[0] < to) {
        inWindow += call[1];
      }
    }
    return inWindow / (tpm * (to - from) / 60e9);
  }
}
