package dev.loupe.provider.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static final Duration LONG = Duration.ofMinutes(10);

  private final AtomicLong now = new AtomicLong(5_000_000_000L);
  private final TokenBucket budget = new TokenBucket(60_000, 60_000, now::get);

  @Test
  void aCreditFillsTheBucketUpToItsCapacityWithoutCountingAsSpent() {
    budget.reserve(50_000, LONG);

    budget.credit(20_000);
    assertThat(budget.level()).isCloseTo(30_000, within(1e-6));
    budget.credit(40_000);
    assertThat(budget.level()).isCloseTo(60_000, within(1e-6));
    assertThat(budget.spent()).isEqualTo(50_000);
    assertThatThrownBy(() -> budget.credit(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aLeasedBucketStartsEmpty() {
    TokenBucket leased = TokenBucket.leased(60_000);

    assertThat(leased.level()).isCloseTo(0, within(10.0));
    assertThat(leased.isLeased()).isTrue();
  }

  @Test
  void aFullMinuteGoesOutAtOnce() {
    assertThat(budget.reserve(40_000, LONG)).contains(Duration.ZERO);
    assertThat(budget.reserve(20_000, LONG)).contains(Duration.ZERO);
  }

  @Test
  void laterReservationsWaitTheirTurnInOrder() {
    budget.reserve(60_000, LONG);

    // 1000 tokens a second refill the bucket.
    assertThat(budget.reserve(3_000, LONG)).contains(Duration.ofSeconds(3));
    assertThat(budget.reserve(3_000, LONG)).contains(Duration.ofSeconds(6));
    advance(Duration.ofSeconds(6));
    assertThat(budget.level()).isCloseTo(0, within(1e-6));
  }

  @Test
  void callLargerThanTheBudgetGoesOutOnceTheBucketIsFull() {
    budget.reserve(30_000, LONG);

    assertThat(budget.reserve(90_000, LONG)).contains(Duration.ofSeconds(30));
    assertThat(budget.level()).isCloseTo(-60_000, within(1e-6));
  }

  @Test
  void reservationThatWouldWaitTooLongReservesNothing() {
    budget.reserve(60_000, LONG);

    assertThat(budget.reserve(10_000, Duration.ofSeconds(9))).isEmpty();
    assertThat(budget.waitFor(10_000)).isEqualTo(Duration.ofSeconds(10));
    assertThat(budget.reserve(10_000, Duration.ofSeconds(10))).contains(Duration.ofSeconds(10));
  }

  @Test
  void reportedUsageCorrectsTheReservation() {
    budget.reserve(5_000, LONG);

    budget.adjust(-3_000);
    assertThat(budget.level()).isCloseTo(58_000, within(1e-6));
    budget.adjust(4_000);
    assertThat(budget.level()).isCloseTo(54_000, within(1e-6));
  }

  @Test
  void refundsNeverFillTheBucketBeyondAMinute() {
    budget.adjust(-1_000_000);

    assertThat(budget.level()).isCloseTo(60_000, within(1e-6));
    advance(Duration.ofMinutes(5));
    assertThat(budget.level()).isCloseTo(60_000, within(1e-6));
  }

  @Test
  void pacerSpacesCallsEvenly() {
    TokenBucket pacer = new TokenBucket(120, 1, now::get);

    assertThat(pacer.reserve(1, LONG)).contains(Duration.ZERO);
    assertThat(pacer.reserve(1, LONG)).contains(Duration.ofMillis(500));
    assertThat(pacer.reserve(1, LONG)).contains(Duration.ofMillis(1000));
    advance(Duration.ofSeconds(10));
    assertThat(pacer.level())
        .as("an idle pacer banks one call, no more")
        .isCloseTo(1, within(1e-6));
  }

  @Test
  void pacerHoldsOneRequestAndABudgetAMinuteOfTokens() {
    assertThat(TokenBucket.pacer(600).capacity()).isEqualTo(1);
    assertThat(TokenBucket.perMinuteBudget(90_000).capacity()).isEqualTo(90_000);
  }

  @Test
  void aNewRateRefillsAtItFromNowAndCutsWhatTheBucketHolds() {
    budget.reserve(30_000, LONG);
    advance(Duration.ofSeconds(10));

    budget.setRate(6_000, 6_000);

    assertThat(budget.level()).isCloseTo(6_000, within(1e-6));
    budget.reserve(6_000, LONG);
    // 100 tokens a second now.
    assertThat(budget.waitFor(1_000)).isEqualTo(Duration.ofSeconds(10));
    budget.setRate(60_000, 60_000);
    assertThat(budget.waitFor(1_000)).isEqualTo(Duration.ofSeconds(1));
    assertThat(budget.level()).isCloseTo(0, within(1e-6));
  }

  @Test
  void countsWhatWasAskedAndWhatWasSpent() {
    budget.reserve(50_000, LONG);
    budget.adjust(-20_000);
    budget.reserve(90_000, Duration.ZERO);

    assertThat(budget.asked()).isEqualTo(140_000);
    assertThat(budget.spent()).isEqualTo(30_000);
  }

  @Test
  void rateAndCapacityMustBePositive() {
    assertThatThrownBy(() -> TokenBucket.perMinuteBudget(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TokenBucket(60, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  private void advance(Duration duration) {
    now.addAndGet(duration.toNanos());
  }
}
