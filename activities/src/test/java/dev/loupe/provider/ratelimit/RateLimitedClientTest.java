package dev.loupe.provider.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import dev.loupe.contract.FailureType;
import dev.loupe.provider.ModelClient;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitedClientTest {
  private static final ModelRequest REQUEST =
      new ModelRequest("m", null, "x".repeat(400), null, null, 900);
  private static final long ESTIMATE = 100 + 900;

  private final AtomicLong now = new AtomicLong(System.nanoTime());
  private final List<Duration> sleeps = new ArrayList<>();
  private final AtomicInteger calls = new AtomicInteger();
  private final AdaptiveConcurrency concurrency = new AdaptiveConcurrency(8);
  private final TokenBucket budget = new TokenBucket(60_000, 60_000, now::get);

  @Test
  void successCorrectsTheBudgetToTheReportedUsage() throws Exception {
    ModelResponse response = client(answering(300, 200), Duration.ofMinutes(2)).complete(REQUEST);

    assertThat(response.text()).isEqualTo("ok");
    assertThat(budget.level()).isCloseTo(60_000 - 500, within(1e-6));
    assertThat(sleeps).isEmpty();
    assertThat(concurrency.inFlight()).isZero();
  }

  @Test
  void callWaitsItsTurnInTheTokenBudgetBeforeSending() throws Exception {
    budget.reserve(60_000, Duration.ZERO);

    client(answering(100, 100), Duration.ofMinutes(2)).complete(REQUEST);

    assertThat(sleeps).containsExactly(Duration.ofMillis(ESTIMATE));
    assertThat(calls).hasValue(1);
  }

  @Test
  void callThatWouldWaitTooLongFailsAsRateLimitedWithoutSending() {
    budget.reserve(60_000, Duration.ZERO);

    ProviderException failure =
        catchThrowableOfType(
            ProviderException.class,
            () -> client(answering(1, 1), Duration.ofMillis(500)).complete(REQUEST));

    assertThat(failure.type()).isEqualTo(FailureType.RATE_LIMITED);
    assertThat(failure.httpStatus()).as("no provider was asked").isZero();
    assertThat(failure.retryAfter()).contains(Duration.ofMillis(ESTIMATE));
    assertThat(failure.getMessage()).contains("endpoint fake", "60000 tokens per minute");
    assertThat(budget.level()).as("nothing stays reserved").isCloseTo(0, within(1e-6));
    assertThat(calls).hasValue(0);
    assertThat(concurrency.inFlight()).isZero();
    assertThat(concurrency.currentLimit()).as("a local wait is no 429").isEqualTo(8);
  }

  @Test
  void providersRateLimitShrinksConcurrencyAndRefundsTheTokens() {
    ProviderException rateLimited =
        new ProviderException(FailureType.RATE_LIMITED, 429, Duration.ofMillis(1), "429", null);

    ProviderException failure =
        catchThrowableOfType(
            ProviderException.class,
            () -> client(failingWith(rateLimited), Duration.ofMinutes(2)).complete(REQUEST));

    assertThat(failure).isSameAs(rateLimited);
    assertThat(concurrency.currentLimit()).isEqualTo(4);
    assertThat(budget.level()).isCloseTo(60_000, within(1e-6));
    assertThat(concurrency.inFlight()).isZero();
  }

  @Test
  void otherFailuresLeaveTheLimitAlone() {
    ProviderException serverError =
        new ProviderException(FailureType.SERVER_ERROR, 503, null, "503", null);

    catchThrowableOfType(
        ProviderException.class,
        () -> client(failingWith(serverError), Duration.ofMinutes(2)).complete(REQUEST));

    assertThat(concurrency.currentLimit()).isEqualTo(8);
    assertThat(budget.level()).isCloseTo(60_000, within(1e-6));
  }

  @Test
  void pacerSpacesThisWorkersCallsAtTheRequestRate() throws Exception {
    TokenBucket pacer = new TokenBucket(120, 1, now::get);
    RateLimitedClient client =
        new RateLimitedClient(
            "fake",
            answering(1, 1),
            new EndpointLimits(
                concurrency, Optional.empty(), Optional.of(pacer), Duration.ofMinutes(1)),
            now::get,
            sleeps::add);

    client.complete(REQUEST);
    client.complete(REQUEST);
    client.complete(REQUEST);

    assertThat(sleeps).containsExactly(Duration.ofMillis(500), Duration.ofMillis(1000));
    assertThat(calls).hasValue(3);
  }

  @Test
  void withoutBudgetOrPacerOnlyConcurrencyApplies() throws Exception {
    RateLimitedClient client =
        new RateLimitedClient(
            "fake", answering(5, 5), EndpointLimits.of(8, null, null, Duration.ofSeconds(1)));

    assertThat(client.complete(REQUEST).inputTokens()).isEqualTo(5);
  }

  @Test
  void noSlotWithinTheWaitFailsAsRateLimited() throws Exception {
    AdaptiveConcurrency one = new AdaptiveConcurrency(1);
    AdaptiveConcurrency.Permit held = one.acquire(System.nanoTime()).orElseThrow();
    RateLimitedClient client =
        new RateLimitedClient(
            "fake",
            answering(1, 1),
            new EndpointLimits(one, Optional.empty(), Optional.empty(), Duration.ofMillis(50)));

    ProviderException failure =
        catchThrowableOfType(ProviderException.class, () -> client.complete(REQUEST));

    assertThat(failure.type()).isEqualTo(FailureType.RATE_LIMITED);
    assertThat(failure.httpStatus()).isZero();
    assertThat(failure.getMessage()).contains("no call slot");
    one.onOtherOutcome(held);
  }

  @Test
  void callOnALeasedBudgetWaitsInStepsUntilTheLeaseGivesItRoom() throws Exception {
    TokenBucket leased = new TokenBucket(1, 1, now::get).asLeased();
    leased.reserve(1, Duration.ZERO);
    RateLimitedClient client =
        new RateLimitedClient(
            "fake",
            answering(100, 100),
            new EndpointLimits(
                concurrency, Optional.of(leased), Optional.empty(), Duration.ofMinutes(3)),
            now::get,
            duration -> {
              sleeps.add(duration);
              now.addAndGet(duration.toNanos());
              if (sleeps.size() == 3) {
                // The coordinator grants this process a share at its next renewal.
                leased.setRate(60_000, 60_000);
              }
            });

    client.complete(REQUEST);

    assertThat(sleeps).hasSize(4);
    assertThat(sleeps.subList(0, 3)).containsOnly(RateLimitedClient.LEASED_STEP);
    assertThat(sleeps.get(3)).isLessThanOrEqualTo(RateLimitedClient.LEASED_STEP);
    assertThat(calls).hasValue(1);
  }

  @Test
  void callOnALeasedBudgetThatGetsNoRoomFailsWithAShortRetryHint() {
    TokenBucket leased = new TokenBucket(1, 1, now::get).asLeased();
    leased.reserve(1, Duration.ZERO);
    RateLimitedClient client =
        new RateLimitedClient(
            "fake",
            answering(1, 1),
            new EndpointLimits(
                concurrency, Optional.of(leased), Optional.empty(), Duration.ofSeconds(10)),
            now::get,
            duration -> {
              sleeps.add(duration);
              now.addAndGet(duration.toNanos());
            });

    ProviderException failure =
        catchThrowableOfType(ProviderException.class, () -> client.complete(REQUEST));

    assertThat(failure.type()).isEqualTo(FailureType.RATE_LIMITED);
    assertThat(failure.retryAfter()).contains(RateLimitedClient.LEASED_MAX_HINT);
    assertThat(sleeps).hasSize(9).containsOnly(RateLimitedClient.LEASED_STEP);
    assertThat(calls).hasValue(0);
  }

  private RateLimitedClient client(ModelClient delegate, Duration maxWait) {
    return new RateLimitedClient(
        "fake",
        delegate,
        new EndpointLimits(concurrency, Optional.of(budget), Optional.empty(), maxWait),
        now::get,
        sleeps::add);
  }

  private ModelClient answering(long input, long output) {
    return request -> {
      calls.incrementAndGet();
      return new ModelResponse("ok", request.model(), input, output, 1);
    };
  }

  private ModelClient failingWith(ProviderException failure) {
    return request -> {
      calls.incrementAndGet();
      throw failure;
    };
  }
}
