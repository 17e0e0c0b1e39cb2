package dev.loupe.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

class RetryHintsTest {
  private static final Instant NOW = Instant.parse("2026-03-02T10:15:30Z");

  @Test
  void retryAfterSecondsMayBeFractional() {
    assertThat(RetryHints.retryAfter("20", NOW)).contains(Duration.ofSeconds(20));
    assertThat(RetryHints.retryAfter(" 1.5 ", NOW)).contains(Duration.ofMillis(1500));
  }

  @Test
  void retryAfterHttpDateCountsFromNow() {
    assertThat(RetryHints.retryAfter("Mon, 02 Mar 2026 10:16:00 GMT", NOW))
        .contains(Duration.ofSeconds(30));
  }

  @Test
  void retryAfterInThePastMeansNoWait() {
    assertThat(RetryHints.retryAfter("Mon, 02 Mar 2026 10:00:00 GMT", NOW)).contains(Duration.ZERO);
    assertThat(RetryHints.retryAfter("-3", NOW)).contains(Duration.ZERO);
  }

  @Test
  void unreadableRetryAfterIsNoHint() {
    assertThat(RetryHints.retryAfter("soon", NOW)).isEmpty();
    assertThat(RetryHints.retryAfter("", NOW)).isEmpty();
    assertThat(RetryHints.retryAfter(null, NOW)).isEmpty();
    assertThat(RetryHints.retryAfterMillis("NaN")).isEmpty();
  }

  @Test
  void retryAfterMillisecondsWinsOverRetryAfter() {
    Headers headers = Headers.of("Retry-After", "2", "retry-after-ms", "250.5");

    assertThat(RetryHints.fromHeaders(headers, NOW)).contains(Duration.ofNanos(250_500_000));
  }

  @Test
  void retryAfterIsUsedWhenMillisecondsAreAbsentOrUnreadable() {
    assertThat(RetryHints.fromHeaders(Headers.of("retry-after", "4"), NOW))
        .contains(Duration.ofSeconds(4));
    assertThat(RetryHints.fromHeaders(Headers.of("retry-after-ms", "x", "Retry-After", "4"), NOW))
        .contains(Duration.ofSeconds(4));
    assertThat(RetryHints.fromHeaders(Headers.of(), NOW)).isEmpty();
  }

  @Test
  void goDurationsAddUpTheirParts() {
    assertThat(RetryHints.goDuration("644ms")).contains(Duration.ofMillis(644));
    assertThat(RetryHints.goDuration("2.5s")).contains(Duration.ofMillis(2500));
    assertThat(RetryHints.goDuration("6m0s")).contains(Duration.ofMinutes(6));
    assertThat(RetryHints.goDuration("1h2m3.5s"))
        .contains(Duration.ofHours(1).plusMinutes(2).plusMillis(3500));
  }

  @Test
  void malformedGoDurationIsNoHint() {
    assertThat(RetryHints.goDuration("5")).isEmpty();
    assertThat(RetryHints.goDuration("5 s")).isEmpty();
    assertThat(RetryHints.goDuration("1s and more")).isEmpty();
    assertThat(RetryHints.goDuration("")).isEmpty();
  }

  @Test
  void protobufDurationsAreSecondsWithFractions() {
    assertThat(RetryHints.protobufDuration("47s")).contains(Duration.ofSeconds(47));
    assertThat(RetryHints.protobufDuration("29.723877525s"))
        .contains(Duration.ofNanos(29_723_877_525L));
    assertThat(RetryHints.protobufDuration("0.5s")).contains(Duration.ofMillis(500));
  }

  @Test
  void malformedProtobufDurationIsNoHint() {
    assertThat(RetryHints.protobufDuration("47")).isEmpty();
    assertThat(RetryHints.protobufDuration("soon s")).isEmpty();
    assertThat(RetryHints.protobufDuration(null)).isEmpty();
  }
}
