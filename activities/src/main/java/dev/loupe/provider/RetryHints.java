package dev.loupe.provider;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Headers;

/**
 * Reads the retry delays that providers put in responses. A hint in the past or below zero reads as
 * zero; a value that does not parse reads as no hint, so a garbled header never fails a call.
 */
public final class RetryHints {
  private static final Pattern GO_DURATION_PART =
      Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

  private RetryHints() {}

  /**
   * The delay from {@code retry-after-ms} (milliseconds, may be fractional), else from {@code
   * Retry-After} (seconds, may be fractional, or an HTTP date), the order the official OpenAI and
   * Anthropic SDKs use.
   *
   * @param now the time the response arrived, for HTTP dates
   */
  public static Optional<Duration> fromHeaders(Headers headers, Instant now) {
    Optional<Duration> millis = retryAfterMillis(headers.get("retry-after-ms"));
    return millis.isPresent() ? millis : retryAfter(headers.get("retry-after"), now);
  }

  /** {@code retry-after-ms}: a non-negative number of milliseconds. */
  public static Optional<Duration> retryAfterMillis(String value) {
    return decimal(value).map(millis -> nanos(millis.movePointRight(6)));
  }

  /** {@code Retry-After}: delay-seconds (fractions accepted) or an RFC 1123 HTTP date. */
  public static Optional<Duration> retryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    Optional<BigDecimal> seconds = decimal(value);
    if (seconds.isPresent()) {
      return Optional.of(nanos(seconds.get().movePointRight(9)));
    }
    try {
      Instant at =
          ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return Optional.of(nonNegative(Duration.between(now, at)));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * A Go duration string such as {@code 644ms}, {@code 2.5s} or {@code 6m0s}: the format of
   * OpenAI's {@code x-ratelimit-reset-*} headers and of the delay in its rate-limit messages.
   */
  public static Optional<Duration> goDuration(String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    Matcher part = GO_DURATION_PART.matcher(value.trim());
    BigDecimal totalNanos = BigDecimal.ZERO;
    int end = 0;
    while (part.find() && part.start() == end) {
      totalNanos = totalNanos.add(new BigDecimal(part.group(1)).multiply(nanosPer(part.group(2))));
      end = part.end();
    }
    if (end == 0 || end != value.trim().length()) {
      return Optional.empty();
    }
    return Optional.of(nanos(totalNanos));
  }

  /**
   * A protobuf {@code Duration} in its JSON form, such as {@code 47s} or {@code 29.723877525s}: the
   * format of Gemini's {@code RetryInfo.retryDelay}.
   */
  public static Optional<Duration> protobufDuration(String value) {
    if (value == null) {
      return Optional.empty();
    }
    String trimmed = value.trim();
    if (!trimmed.endsWith("s")) {
      return Optional.empty();
    }
    return decimal(trimmed.substring(0, trimmed.length() - 1))
        .map(seconds -> nanos(seconds.movePointRight(9)));
  }

  private static BigDecimal nanosPer(String unit) {
    return switch (unit) {
      case "ns" -> BigDecimal.ONE;
      case "us", "µs" -> BigDecimal.valueOf(1_000L);
      case "ms" -> BigDecimal.valueOf(1_000_000L);
      case "s" -> BigDecimal.valueOf(1_000_000_000L);
      case "m" -> BigDecimal.valueOf(60_000_000_000L);
      case "h" -> BigDecimal.valueOf(3_600_000_000_000L);
      default -> throw new IllegalArgumentException("unit " + unit);
    };
  }

  private static Optional<BigDecimal> decimal(String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new BigDecimal(value.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Duration nanos(BigDecimal nanos) {
    if (nanos.signum() <= 0) {
      return Duration.ZERO;
    }
    BigDecimal max = BigDecimal.valueOf(Long.MAX_VALUE);
    return Duration.ofNanos(nanos.min(max).longValue());
  }

  private static Duration nonNegative(Duration duration) {
    return duration.isNegative() ? Duration.ZERO : duration;
  }
}
