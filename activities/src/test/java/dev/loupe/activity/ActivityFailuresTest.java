package dev.loupe.activity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contract.FailureType;
import dev.loupe.provider.ProviderException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ActivityFailuresTest {
  @Test
  void retryAfterBecomesTheNextRetryDelay() {
    ApplicationFailure failure =
        ActivityFailures.of(
            new ProviderException(
                FailureType.RATE_LIMITED, 429, Duration.ofSeconds(7), "429", null));
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getNextRetryDelay()).isEqualTo(Duration.ofSeconds(7));
    assertThat(failure.getType()).isEqualTo("RATE_LIMITED");
  }

  @Test
  void zeroRetryAfterLeavesTheDelayToThePolicy() {
    ApplicationFailure failure =
        ActivityFailures.of(
            new ProviderException(FailureType.RATE_LIMITED, 429, Duration.ZERO, "in 0ms", null));
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getNextRetryDelay()).isNull();
  }

  @Test
  void nonRetryableTypesAreNonRetryable() {
    ApplicationFailure failure =
        ActivityFailures.of(new ProviderException(FailureType.REFUSED, "refused"));
    assertThat(failure.isNonRetryable()).isTrue();
  }
}
