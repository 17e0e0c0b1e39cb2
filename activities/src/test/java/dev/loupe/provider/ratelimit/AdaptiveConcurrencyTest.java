package dev.loupe.provider.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AdaptiveConcurrencyTest {

  @Test
  void startsAtTheMaximumAndRefusesBeyondIt() throws Exception {
    AdaptiveConcurrency concurrency = new AdaptiveConcurrency(3);

    List<AdaptiveConcurrency.Permit> permits = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      permits.add(concurrency.acquire(deadlineIn(Duration.ZERO)).orElseThrow());
    }

    assertThat(concurrency.currentLimit()).isEqualTo(3);
    assertThat(concurrency.acquire(deadlineIn(Duration.ofMillis(20)))).isEmpty();
    concurrency.onSuccess(permits.getFirst());
    assertThat(concurrency.acquire(deadlineIn(Duration.ZERO))).isPresent();
  }

  @Test
  void rateLimitHalvesTheLimitOncePerEpisode() throws Exception {
    AdaptiveConcurrency concurrency = new AdaptiveConcurrency(16);
    AdaptiveConcurrency.Permit first = concurrency.acquire(deadlineIn(Duration.ZERO)).orElseThrow();
    AdaptiveConcurrency.Permit second =
        concurrency.acquire(deadlineIn(Duration.ZERO)).orElseThrow();

    concurrency.onRateLimited(first, Optional.of(Duration.ZERO));
    concurrency.onRateLimited(second, Optional.of(Duration.ZERO));

    assertThat(concurrency.currentLimit())
        .as("the second 429 was sent before the first decrease")
        .isEqualTo(8);
    AdaptiveConcurrency.Permit later = concurrency.acquire(deadlineIn(Duration.ZERO)).orElseThrow();
    concurrency.onRateLimited(later, Optional.of(Duration.ZERO));
    assertThat(concurrency.currentLimit()).isEqualTo(4);
  }

  @Test
  void limitNeverFallsBelowOne() throws Exception {
    AdaptiveConcurrency concurrency = new AdaptiveConcurrency(2);
    for (int i = 0; i < 5; i++) {
      AdaptiveConcurrency.Permit permit =
          concurrency.acquire(deadlineIn(Duration.ofSeconds(1))).orElseThrow();
      concurrency.onRateLimited(permit, Optional.of(Duration.ZERO));
    }
    assertThat(concurrency.currentLimit()).isEqualTo(1);
  }

  @Test
  void successesGrowTheLimitByOnePerLimitsWorthUpToTheMaximum() throws Exception {
    AdaptiveConcurrency concurrency = new AdaptiveConcurrency(6);
    AdaptiveConcurrency.Permit permit =
        concurrency.acquire(deadlineIn(Duration.ZERO)).orElseThrow();
    concurrency.onRateLimited(permit, Optional.of(Duration.ZERO));
    assertThat(concurrency.currentLimit()).isEqualTo(3);

    succeed(concurrency, 3);
    assertThat(concurrency.currentLimit()).isEqualTo(3);
    succeed(concurrency, 1);
    assertThat(concurrency.currentLimit()).as("3 + 4 × 1/3.x").isEqualTo(4);
    succeed(concurrency, 100);
    assertThat(concurrency.currentLimit()).isEqualTo(6);
  }

  @Test
  void rateLimitPausesNewCallsForTheRetryHint() throws Exception {
    AdaptiveConcurrency concurrency = new AdaptiveConcurrency(4);
    AdaptiveConcurrency.Permit permit =
        concurrency.acquire(deadlineIn(Duration.ZERO)).orElseThrow();

    concurrency.onRateLimited(permit, Optional.of(Duration.ofMillis(300)));
    long start = System.nanoTime();
    Optional<AdaptiveConcurrency.Permit> next =
        concurrency.acquire(deadlineIn(Duration.ofSeconds(5)));

    assertThat(next).isPresent();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(250));
  }

  @Test
  void pauseLongerThanTheDeadlineGivesUp() throws Exception {
    AdaptiveConcurrency concurrency = new AdaptiveConcurrency(4);
    AdaptiveConcurrency.Permit permit =
        concurrency.acquire(deadlineIn(Duration.ZERO)).orElseThrow();
    concurrency.onRateLimited(permit, Optional.empty());

    assertThat(concurrency.pauseRemaining())
        .isGreaterThan(Duration.ZERO)
        .isLessThanOrEqualTo(AdaptiveConcurrency.DEFAULT_PAUSE);
    assertThat(concurrency.acquire(deadlineIn(Duration.ofMillis(50)))).isEmpty();
  }

  @Test
  void waitingCallGetsTheSlotAReleaseFrees() throws Exception {
    AdaptiveConcurrency concurrency = new AdaptiveConcurrency(1);
    AdaptiveConcurrency.Permit held = concurrency.acquire(deadlineIn(Duration.ZERO)).orElseThrow();

    CompletableFuture<Optional<AdaptiveConcurrency.Permit>> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return concurrency.acquire(deadlineIn(Duration.ofSeconds(10)));
              } catch (InterruptedException e) {
                throw new AssertionError(e);
              }
            });
    Thread.sleep(50);
    assertThat(waiting).isNotDone();
    concurrency.onOtherOutcome(held);

    assertThat(waiting.get(5, TimeUnit.SECONDS)).isPresent();
    assertThat(concurrency.inFlight()).isEqualTo(1);
    assertThat(concurrency.currentLimit()).isEqualTo(1);
  }

  private static void succeed(AdaptiveConcurrency concurrency, int times) throws Exception {
    for (int i = 0; i < times; i++) {
      concurrency.onSuccess(concurrency.acquire(deadlineIn(Duration.ZERO)).orElseThrow());
    }
  }

  private static long deadlineIn(Duration duration) {
    return System.nanoTime() + duration.toNanos();
  }
}
