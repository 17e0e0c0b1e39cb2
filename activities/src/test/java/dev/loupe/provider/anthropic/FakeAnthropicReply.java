package dev.loupe.provider.anthropic;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A scripted answer of {@link FakeAnthropicServer} in place of its normal one: an HTTP error with
 * the API's error body, a refusal, a broken body, or a delay.
 */
public sealed interface FakeAnthropicReply {

  /**
   * An error status with {@code {"type":"error","error":{type, message, details?},"request_id"}}.
   *
   * @param errorCode {@code error.details.error_code}, or null
   */
  record HttpError(
      int status, String type, String message, String errorCode, Map<String, String> headers)
      implements FakeAnthropicReply {
    public HttpError {
      headers = Map.copyOf(headers);
    }
  }

  /** A 200 with {@code stop_reason: refusal} and this text. */
  record Refusal(String text) implements FakeAnthropicReply {}

  /** A normal answer whose text is this, whatever was asked (a free-text answer only). */
  record Content(String text) implements FakeAnthropicReply {}

  /** A 200 whose body is not JSON. */
  record MalformedBody() implements FakeAnthropicReply {}

  /** A 200 whose body breaks off halfway: Content-Length promises more than arrives. */
  record TruncatedBody() implements FakeAnthropicReply {}

  /** The normal answer, or {@code then}, after a delay before the response headers. */
  record Delayed(Duration delay, FakeAnthropicReply then) implements FakeAnthropicReply {
    public Delayed {
      Objects.requireNonNull(delay, "delay");
    }
  }

  /** 429 {@code rate_limit_error} with {@code retry-after} in whole seconds, rounded up. */
  static FakeAnthropicReply rateLimited(Duration retryAfter) {
    long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    return new HttpError(
        429,
        "rate_limit_error",
        "Number of request tokens has exceeded your per-minute rate limit (fake).",
        null,
        Map.of("retry-after", Long.toString(seconds)));
  }

  /** 429 for the monthly spend cap: no {@code retry-after}. */
  static FakeAnthropicReply spendLimit() {
    return new HttpError(
        429,
        "rate_limit_error",
        "You have reached your monthly spend limit (fake).",
        "enforced_spend_limit_reached",
        Map.of());
  }

  /** 529 {@code overloaded_error}. */
  static FakeAnthropicReply overloaded() {
    return new HttpError(529, "overloaded_error", "Overloaded", null, Map.of());
  }

  /** 500 {@code api_error}. */
  static FakeAnthropicReply serverError(int status) {
    return new HttpError(
        status, "api_error", "Internal server error (fake HTTP " + status + ").", null, Map.of());
  }

  /** 400 {@code invalid_request_error}. */
  static FakeAnthropicReply badRequest(String message) {
    return new HttpError(400, "invalid_request_error", message, null, Map.of());
  }

  static FakeAnthropicReply refusal() {
    return new Refusal("I can't help with this image (fake).");
  }

  static FakeAnthropicReply malformedBody() {
    return new MalformedBody();
  }

  static FakeAnthropicReply truncatedBody() {
    return new TruncatedBody();
  }

  static FakeAnthropicReply content(String text) {
    return new Content(text);
  }
}
