package dev.loupe.provider.gemini;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A scripted answer of {@link FakeGeminiServer} in place of its normal one: an HTTP error with a
 * {@code google.rpc.Status} body, a safety block (HTTP 200), a broken body, or a delay.
 */
public sealed interface FakeGeminiReply {

  /**
   * An error status with a {@code google.rpc.Status} body.
   *
   * @param status the canonical code name, e.g. {@code RESOURCE_EXHAUSTED}
   * @param details JSON objects for {@code error.details}
   */
  record HttpError(
      int code, String status, String message, List<String> details, Map<String, String> headers)
      implements FakeGeminiReply {
    public HttpError {
      details = List.copyOf(details);
      headers = Map.copyOf(headers);
    }
  }

  /** No candidates, {@code promptFeedback.blockReason} set. */
  record PromptBlocked(String blockReason) implements FakeGeminiReply {}

  /** A candidate without content that ended with this {@code finishReason}, e.g. SAFETY. */
  record OutputBlocked(String finishReason) implements FakeGeminiReply {}

  /** A normal answer whose text is this, whatever was asked. */
  record Content(String text) implements FakeGeminiReply {}

  /** A 200 whose body is not JSON. */
  record MalformedBody() implements FakeGeminiReply {}

  /** A 200 whose body breaks off halfway: Content-Length promises more than arrives. */
  record TruncatedBody() implements FakeGeminiReply {}

  /** The normal answer, or {@code then}, after a delay before the response headers. */
  record Delayed(Duration delay, FakeGeminiReply then) implements FakeGeminiReply {
    public Delayed {
      Objects.requireNonNull(delay, "delay");
    }
  }

  /** 429 for a per-minute quota, with {@code RetryInfo.retryDelay}. */
  static FakeGeminiReply rateLimited(Duration retryDelay) {
    return new HttpError(
        429,
        "RESOURCE_EXHAUSTED",
        "Resource has been exhausted (e.g. check quota) (fake).",
        List.of(
            quotaFailure("GenerateRequestsPerMinutePerProjectPerModel"),
            "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\""
                + retryDelay.toMillis() / 1000.0
                + "s\"}"),
        Map.of());
  }

  /** 429 for a per-day quota: waiting minutes does not help. */
  static FakeGeminiReply quotaExhausted() {
    return new HttpError(
        429,
        "RESOURCE_EXHAUSTED",
        "You exceeded your current quota, please check your plan and billing details (fake).",
        List.of(quotaFailure("GenerateRequestsPerDayPerProjectPerModel-FreeTier")),
        Map.of());
  }

  /** 500 INTERNAL, 503 UNAVAILABLE or 504 DEADLINE_EXCEEDED. */
  static FakeGeminiReply serverError(int code) {
    String status =
        switch (code) {
          case 503 -> "UNAVAILABLE";
          case 504 -> "DEADLINE_EXCEEDED";
          default -> "INTERNAL";
        };
    return new HttpError(
        code, status, "The service is unavailable (fake HTTP " + code + ").", List.of(), Map.of());
  }

  /** 400 INVALID_ARGUMENT. */
  static FakeGeminiReply badRequest(String message) {
    return new HttpError(400, "INVALID_ARGUMENT", message, List.of(), Map.of());
  }

  static FakeGeminiReply promptBlocked() {
    return new PromptBlocked("SAFETY");
  }

  static FakeGeminiReply safety() {
    return new OutputBlocked("SAFETY");
  }

  static FakeGeminiReply malformedBody() {
    return new MalformedBody();
  }

  static FakeGeminiReply truncatedBody() {
    return new TruncatedBody();
  }

  static FakeGeminiReply content(String text) {
    return new Content(text);
  }

  private static String quotaFailure(String quotaId) {
    return "{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{"
        + "\"quotaMetric\":\"generativelanguage.googleapis.com/generate_content_requests\","
        + "\"quotaId\":\""
        + quotaId
        + "\"}]}";
  }
}
