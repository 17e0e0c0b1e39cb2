package dev.loupe.provider.openai;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A scripted answer of {@link FakeOpenAiServer} in place of its normal one: an HTTP error, an
 * answer the client must reject, a broken body, or a delay.
 */
public sealed interface FakeReply {

  /** An error status with an OpenAI-style error body and extra headers. */
  record HttpError(
      int status, String type, String code, String message, Map<String, String> headers)
      implements FakeReply {
    public HttpError {
      headers = Map.copyOf(headers);
    }
  }

  /** A 200 whose message carries {@code refusal} and no content. */
  record Refusal(String refusal) implements FakeReply {}

  /** A 200 with {@code finish_reason: content_filter} and no content. */
  record ContentFilter() implements FakeReply {}

  /** A 200 whose message content is this text, whatever was asked (e.g. JSON that is broken). */
  record Content(String content) implements FakeReply {}

  /** A 200 whose body breaks off halfway: Content-Length promises more than arrives. */
  record TruncatedBody() implements FakeReply {}

  /** A 200 whose body is this text and no JSON at all, as from a broken server or proxy. */
  record Garbage(String body) implements FakeReply {}

  /** The normal answer, or {@code then}, after a delay before the response headers. */
  record Delayed(Duration delay, FakeReply then) implements FakeReply {
    public Delayed {
      Objects.requireNonNull(delay, "delay");
    }
  }

  /** 429 {@code rate_limit_exceeded} with {@code retry-after-ms} and {@code Retry-After}. */
  static FakeReply rateLimited(Duration retryAfter) {
    long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    return new HttpError(
        429,
        "requests",
        "rate_limit_exceeded",
        "Rate limit reached for requests (fake). Please try again in "
            + retryAfter.toMillis()
            + "ms.",
        Map.of(
            "retry-after-ms", Long.toString(retryAfter.toMillis()),
            "Retry-After", Long.toString(seconds)));
  }

  /** 429 {@code insufficient_quota}, as OpenAI sends it: no retry headers. */
  static FakeReply quotaExhausted() {
    return new HttpError(
        429,
        "insufficient_quota",
        "insufficient_quota",
        "You exceeded your current quota, please check your plan and billing details (fake).",
        Map.of());
  }

  /**
   * 429 for a {@code service_tier: "flex"} call the flex tier has no capacity for (OpenAI: "429
   * Resource Unavailable", not charged); no retry headers.
   */
  static FakeReply flexCapacityRefused() {
    return new HttpError(
        429,
        "server_error",
        "resource_unavailable",
        "Resource unavailable: flex processing has no capacity for this request (fake).",
        Map.of());
  }

  /** 500, 502, 503 or 529 with a server-error body. */
  static FakeReply serverError(int status) {
    return new HttpError(
        status,
        "server_error",
        null,
        "The server had an error (fake HTTP " + status + ").",
        Map.of());
  }

  /** 400 {@code invalid_request_error}. */
  static FakeReply badRequest(String message) {
    return new HttpError(400, "invalid_request_error", null, message, Map.of());
  }

  /** 401 {@code invalid_api_key}. */
  static FakeReply unauthorized() {
    return new HttpError(
        401,
        "invalid_request_error",
        "invalid_api_key",
        "Incorrect API key provided (fake).",
        Map.of());
  }

  static FakeReply refusal(String refusal) {
    return new Refusal(refusal);
  }

  static FakeReply contentFilter() {
    return new ContentFilter();
  }

  /** Content that is not JSON, for structured calls. */
  static FakeReply malformedJson() {
    return new Content("{\"questions\": [{\"question\": \"[fake] cut");
  }

  static FakeReply content(String content) {
    return new Content(content);
  }

  static FakeReply truncatedBody() {
    return new TruncatedBody();
  }

  static FakeReply garbage(String body) {
    return new Garbage(body);
  }

  /** The normal answer, late. */
  static FakeReply delay(Duration delay) {
    return new Delayed(delay, null);
  }
}
