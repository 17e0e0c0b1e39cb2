package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.bench.BenchConfig;
import dev.loupe.bench.FakeBenchEndpoint;
import dev.loupe.bench.FakeTokenRateLimit;
import dev.loupe.bench.ImageSet;
import dev.loupe.bench.Latency;
import dev.loupe.bench.LoupeCluster;
import dev.loupe.bench.LoupeWorker;
import dev.loupe.bench.TemporalTestServer;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.TokenBudgetState;
import dev.loupe.contract.TokenBudgetWorkflow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens per minute shared by the fleet: two {@code loupe worker --pool api} processes (and one
 * workflows and CPU worker) on a dedicated Temporal dev server call an endpoint that answers 429
 * beyond its tokens-per-minute limit, configured as the endpoint's {@code tokensPerMinute}. The two
 * together stay within it (each alone would allow itself all of it under the old per-process
 * budget); one is SIGKILLed mid-run, the survivor takes over its share, and every image ends
 * accepted.
 */
class FleetTokenBudgetIT {
  private static final String KEY = "sk-fleet-NOTASECRET-0000000000000000";
  private static final int TOKENS_PER_MINUTE = 40_000;
  private static final int IMAGES = 60;

  @TempDir Path work;
  private FakeBenchEndpoint fake;
  private LoupeCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (fake != null) {
      fake.close();
    }
  }

  @Test
  void apiWorkersTogetherStayWithinTheTokensPerMinuteAndAKilledOnesShareIsReused()
      throws Exception {
    FakeTokenRateLimit limit = new FakeTokenRateLimit(TOKENS_PER_MINUTE);
    fake =
        FakeBenchEndpoint.start(0, 5, KEY)
            .latency(new Latency.Uniform(200, 600))
            .tokenAdmission(limit::tryAcquire);
    TemporalTestServer server = TestServers.ownTemporalServer(work);
    cluster =
        new LoupeCluster(
            server,
            server.address(),
            LoupeProcess.JAR,
            work.resolve("cluster"),
            new BenchConfig(fake.baseUrl(), "FLEET_API_KEY", 8)
                .withTokensPerMinute(TOKENS_PER_MINUTE),
            KEY,
            "256m");
    cluster.startWorker("workflows,cpu");
    LoupeWorker first = cluster.startWorker("api");
    cluster.startWorker("api");
    Path images = ImageSet.write(work.resolve("images"), IMAGES);
    String id = cluster.startDataset("fleet-" + System.nanoTime(), images, work.resolve("out"), 32);

    await(() -> fake.ledger().paid() >= IMAGES, "a third of the calls answered");
    TokenBudgetState shared = leases();
    assertThat(shared.tokensPerMinute()).isEqualTo(TOKENS_PER_MINUTE);
    assertThat(shared.holders()).hasSize(2);
    assertThat(shared.holders().stream().mapToLong(TokenBudgetState.Holder::granted).sum())
        .isLessThanOrEqualTo(TOKENS_PER_MINUTE);
    first.kill();

    await(
        () -> {
          TokenBudgetState alone = leases();
          return alone.holders().size() == 1
              && alone.holders().getFirst().granted() == TOKENS_PER_MINUTE;
        },
        "the survivor leasing the whole limit");
    DatasetResult result = cluster.await(id, Duration.ofMinutes(10));

    assertThat(result.counts().accepted()).as(cluster.logs()).isEqualTo(IMAGES);
    long received = fake.ledger().received();
    assertThat(fake.ledger().status(429))
        .as("429s of %d calls", received)
        .isLessThan(Math.max(1, received / 50));
    assertThat(limit.admittedTokens()).isGreaterThan(0);
  }

  private TokenBudgetState leases() {
    return cluster
        .client()
        .newWorkflowStub(
            TokenBudgetWorkflow.class, TokenBudgetWorkflow.workflowId(BenchConfig.ENDPOINT))
        .leases();
  }

  /** Waits for a state the run must reach; the deadline only stops a broken run. */
  private void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("never reached: " + what + "\n" + cluster.logs());
      }
      Thread.sleep(250);
    }
  }
}
