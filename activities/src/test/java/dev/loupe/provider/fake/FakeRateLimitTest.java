package dev.loupe.provider.fake;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FakeRateLimitTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void admitsABurstThenOneRequestPerInterval() {
    FakeRateLimit limit = new FakeRateLimit(120, 1, now::get);

    assertThat(limit.tryAcquire()).isEmpty();
    assertThat(limit.tryAcquire()).isEmpty();
    assertThat(limit.tryAcquire()).contains(Duration.ofMillis(500));
    now.addAndGet(Duration.ofMillis(500).toNanos());
    assertThat(limit.tryAcquire()).isEmpty();
    assertThat(limit.tryAcquire()).isPresent();

    assertThat(limit.admittedCount()).isEqualTo(3);
    assertThat(limit.refusedCount()).isEqualTo(2);
  }

  @Test
  void neverAdmitsMoreThanTheLimitPerMinute() {
    FakeRateLimit limit = new FakeRateLimit(600, 1, now::get);
    int admitted = 0;
    for (int millis = 0; millis < 60_000; millis += 10) {
      if (limit.tryAcquire().isEmpty()) {
        admitted++;
      }
      now.addAndGet(Duration.ofMillis(10).toNanos());
    }
    assertThat(admitted).isBetween(600, 600 + 10);
  }
}
