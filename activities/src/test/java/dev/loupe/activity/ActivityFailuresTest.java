package dev.loupe.activity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contract.FailureType;
import dev.loupe.provider.ProviderException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ActivityFailuresTest {

  @Test
  void retryHintBecomesTheNextRetryDelay() {
    ApplicationFailure failure = ActivityFailures.of(rateLimited(Duration.ofMillis(1500)));

    assertThat(failure.getType()).isEqualTo("RATE_LIMITED");
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getNextRetryDelay()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void hintOfNowIsLeftToTheRetryPolicy() {
    ApplicationFailure failure = ActivityFailures.of(rateLimited(Duration.ZERO));

    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getNextRetryDelay())
        .as("a zero next retry delay makes Temporal stop retrying")
        .isNull();
  }

  @Test
  void failureTypesThatWaitingCannotCureAreNotRetried() {
    ApplicationFailure failure =
        ActivityFailures.of(
            new ProviderException(FailureType.QUOTA_EXHAUSTED, 429, null, "quota", null));

    assertThat(failure.getType()).isEqualTo("QUOTA_EXHAUSTED");
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).isEqualTo("quota");
  }

  private static ProviderException rateLimited(Duration hint) {
    return new ProviderException(FailureType.RATE_LIMITED, 429, hint, "429", null);
  }
}
