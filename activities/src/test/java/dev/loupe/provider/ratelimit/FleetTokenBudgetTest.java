package dev.loupe.provider.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.loupe.contract.TokenLease;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FleetTokenBudgetTest {
  private static final long LIMIT = 100_000;
  private static final Duration LONG = Duration.ofMinutes(10);

  private final AtomicLong now = new AtomicLong(7_000_000_000L);
  private final FakeTokenLeases leases = new FakeTokenLeases();
  private final TokenBucket bucket = new TokenBucket(LIMIT / 4, LIMIT / 4, now::get);
  private final FleetTokenBudget budget =
      new FleetTokenBudget("bench", LIMIT, "worker-a", leases, bucket, now::get);

  @Test
  void beforeAnyAnswerSpendsAQuarterOfTheLimit() {
    assertThat(budget.granted()).isEqualTo(25_000);
    assertThat(budget.fallingBack()).isTrue();
    assertThat(bucket.perMinute()).isEqualTo(25_000);
  }

  @Test
  void spendsTheGrantedShareAtItsRateWithAMinutesBurst() {
    leases.answer = new TokenLease(60_000, 10_000, 2_000, 2, 0);

    Duration next = budget.renew();

    assertThat(next).isEqualTo(Duration.ofSeconds(2));
    assertThat(budget.fallingBack()).isFalse();
    assertThat(bucket.perMinute()).isEqualTo(60_000);
    assertThat(bucket.capacity()).isEqualTo(60_000);
    assertThat(leases.last().tokensPerMinute()).isEqualTo(LIMIT);
    assertThat(leases.last().worker()).isEqualTo("worker-a");
  }

  @Test
  void asksForTwiceTheRateItsCallsAskedForWithinTheLimitAndAtLeastTheIdleShare() {
    leases.answer = new TokenLease(50_000, 10_000, 2_000, 2, 0);
    budget.renew();
    assertThat(leases.last().demand()).isEqualTo(5_000);

    bucket.reserve(1_000, LONG);
    bucket.reserve(2_000, LONG);
    bucket.adjust(-500);
    now.addAndGet(Duration.ofSeconds(6).toNanos());
    budget.renew();
    // 3,000 asked in a tenth of a minute: 30,000 a minute, doubled.
    assertThat(leases.last().demand()).isEqualTo(60_000);
    assertThat(leases.last().used()).isEqualTo(2_500);

    bucket.reserve(20_000, LONG);
    now.addAndGet(Duration.ofSeconds(6).toNanos());
    budget.renew();
    assertThat(leases.last().demand()).isEqualTo(LIMIT);
  }

  @Test
  void fallsBackToAnEvenSliceWhenTheLeaseRunsOutUnrenewedAndRecovers() {
    leases.answer = new TokenLease(80_000, 10_000, 2_000, 6, 0);
    budget.renew();
    leases.answer = new TokenLease(80_000, 10_000, 2_000, 3, 0);
    budget.renew();
    leases.unreachable = true;
    assertThatThrownBy(budget::renew).isInstanceOf(IllegalStateException.class);

    now.addAndGet(Duration.ofSeconds(9).toNanos());
    budget.checkExpiry();
    assertThat(budget.fallingBack()).isFalse();
    assertThat(bucket.perMinute()).isEqualTo(80_000);

    now.addAndGet(Duration.ofSeconds(1).toNanos());
    budget.checkExpiry();
    assertThat(budget.fallingBack()).isTrue();
    assertThat(bucket.perMinute()).as("by the most processes seen").isEqualTo(16_666);

    leases.unreachable = false;
    budget.renew();
    assertThat(budget.fallingBack()).isFalse();
    assertThat(bucket.perMinute()).isEqualTo(80_000);
  }

  @Test
  void aProcessThatSawItselfAloneFallsBackToAQuarterAtMost() {
    leases.answer = new TokenLease(LIMIT, 10_000, 2_000, 1, 0);
    budget.renew();
    leases.unreachable = true;

    now.addAndGet(Duration.ofSeconds(10).toNanos());
    budget.checkExpiry();

    assertThat(budget.fallingBack()).isTrue();
    assertThat(bucket.perMinute()).isEqualTo(LIMIT / 4);
  }

  @Test
  void aProcessThatHoldsNoShareLetsAtMostOneCallGoUntilItGetsOne() {
    leases.answer = new TokenLease(0, 10_000, 2_000, 4, 0);

    budget.renew();

    assertThat(bucket.capacity()).isEqualTo(1);
    assertThat(bucket.reserve(2_000, Duration.ZERO)).isPresent();
    assertThat(bucket.reserve(2_000, Duration.ofMinutes(4))).isEmpty();
    leases.answer = new TokenLease(60_000, 10_000, 2_000, 4, 0);
    budget.renew();
    // The one call's 1,999 tokens below zero are paid back at 1,000 a second first.
    assertThat(bucket.waitFor(2_000)).isEqualTo(Duration.ofMillis(3_999));
  }

  @Test
  void reportsWhatItsBucketHoldsAndAddsTheCreditUpToItsGrant() {
    bucket.reserve(5_000, LONG);
    leases.answer = new TokenLease(60_000, 10_000, 2_000, 1, 30_000);

    budget.renew();

    assertThat(leases.last().level()).isEqualTo(20_000);
    assertThat(bucket.level()).isCloseTo(50_000, within(1e-6));
    leases.answer = new TokenLease(60_000, 10_000, 2_000, 1, 30_000);
    budget.renew();
    assertThat(bucket.level()).as("a minute of its grant at most").isCloseTo(60_000, within(1e-6));
  }

  @Test
  void aNetRefundIsCarriedIntoTheNextReport() {
    leases.answer = new TokenLease(60_000, 10_000, 2_000, 1, 0);
    bucket.reserve(5_000, LONG);
    budget.renew();
    assertThat(leases.last().used()).isEqualTo(5_000);

    // The provider reported 1,000 of the 5,000: 4,000 come back, more than was taken since.
    bucket.adjust(-4_000);
    bucket.reserve(1_000, LONG);
    budget.renew();
    assertThat(leases.last().used()).isZero();

    bucket.reserve(6_000, LONG);
    budget.renew();
    assertThat(leases.last().used()).isEqualTo(3_000);
    long reported = leases.requests.stream().mapToLong(r -> r.used()).sum();
    assertThat(reported).isEqualTo(bucket.spent());
  }

  @Test
  void aFleetBudgetStartsEmptyUntilALeaseCreditsIt() {
    try (FleetTokenBudget fresh = FleetTokenBudget.of("bench", LIMIT, "worker-b", leases)) {
      assertThat(fresh.bucket().level()).isCloseTo(0, within(1.0));
      assertThat(fresh.bucket().waitFor(2_000)).isPositive();
    }
  }
}
