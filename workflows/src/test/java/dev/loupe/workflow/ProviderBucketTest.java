package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.loupe.contract.TokenBudgetState.Holder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderBucketTest {
  private static final long LIMIT = 60_000;
  private static final long MARGIN = ProviderBucket.margin(LIMIT);
  private static final long T = 1_000_000;

  @Test
  void startsFullRefillsAtTheLimitAndHoldsAMinuteAtMost() {
    ProviderBucket provider = new ProviderBucket(0, 0);
    provider.refill(LIMIT, T);
    assertThat(provider.level()).isEqualTo(LIMIT);

    provider.take(50_000);
    provider.refill(LIMIT, T + 10_000);
    assertThat(provider.level()).isCloseTo(20_000, within(1e-6));
    provider.refill(LIMIT, T + 600_000);
    assertThat(provider.level()).isEqualTo(LIMIT);
  }

  @Test
  void creditsWhatNoProcessHoldsLessTheMarginUpToTheAskersGrant() {
    ProviderBucket provider = full();
    provider.take(3_000);
    List<Holder> others = List.of(holder(30_000, 10_000L, T));

    // 57,000 in the provider's bucket, 10,000 held by the other, 2,000 by the asker.
    assertThat(provider.credit(LIMIT, others, T, 2_000L, 60_000)).isEqualTo(45_000 - MARGIN);
    assertThat(provider.credit(LIMIT, others, T, 2_000L, 30_000))
        .as("no more than fills its bucket")
        .isEqualTo(28_000);
    assertThat(provider.credit(LIMIT, others, T, -4_000L, 30_000))
        .as("calls waiting below zero are paid for first")
        .isEqualTo(34_000);
  }

  @Test
  void anotherProcessCountsAsRefilledAtItsGrantSinceItReported() {
    ProviderBucket provider = full();
    List<Holder> others = List.of(holder(30_000, 0L, T - 30_000));

    // The other reported 0 half a minute ago: it may hold 15,000 by now.
    assertThat(provider.credit(LIMIT, others, T, 0L, 30_000)).isEqualTo(30_000);
    assertThat(provider.credit(LIMIT, others, T, 20_000L, 45_000))
        .isEqualTo(LIMIT - 15_000 - 20_000 - MARGIN);
  }

  @Test
  void aProcessThatDoesNotSayCountsAsFullAndGetsNothing() {
    ProviderBucket provider = full();
    List<Holder> others = List.of(holder(40_000, null, T));

    assertThat(provider.credit(LIMIT, others, T, 0L, 20_000)).isEqualTo(20_000 - MARGIN);
    assertThat(provider.credit(LIMIT, List.of(), T, null, 20_000)).isZero();
    assertThat(provider.credit(LIMIT, List.of(), T, 0L, 0)).as("no grant, no credit").isZero();
  }

  @Test
  void nothingIsCreditedWhileTheProcessesHoldWhatTheProviderHolds() {
    ProviderBucket provider = full();
    provider.take(LIMIT);
    provider.refill(LIMIT, T + 1_000);

    assertThat(provider.credit(LIMIT, List.of(), T + 1_000, 0L, LIMIT)).isZero();
  }

  private static ProviderBucket full() {
    ProviderBucket provider = new ProviderBucket(0, 0);
    provider.refill(LIMIT, T);
    return provider;
  }

  private static Holder holder(long granted, Long level, long at) {
    return new Holder("other", granted, granted, Long.MAX_VALUE, level, at);
  }
}
