package dev.loupe.provider.gemini;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.FailureType;
import dev.loupe.provider.HttpFailureTypes;
import dev.loupe.provider.ProviderException;
import dev.loupe.provider.ProviderMessages;
import dev.loupe.provider.RetryHints;
import dev.loupe.provider.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;
import okhttp3.Headers;

/**
 * Classifies a Gemini API error response, a {@code google.rpc.Status} as JSON: {@code
 * {"error":{"code","message","status","details":[…]}}}. The details say what the status alone does
 * not: {@code RetryInfo.retryDelay} is the wait, a {@code QuotaFailure} with a per-day quota is not
 * cured by waiting minutes, and {@code ErrorInfo.reason API_KEY_INVALID} is a bad key behind a 400.
 */
final class GeminiErrors {
  private static final String TYPE_PREFIX = "type.googleapis.com/google.rpc.";
  private static final Pattern LONG_QUOTA = Pattern.compile("(?i)per(day|month)");

  private GeminiErrors() {}

  /**
   * @param status the HTTP status, not 2xx
   * @param headers for a {@code Retry-After} that gateways may add
   * @param body the response body, possibly empty or not JSON
   * @param now when the response arrived
   * @param apiKey the key sent, removed should the server echo it
   */
  static ProviderException classify(
      int status, Headers headers, String body, Instant now, Secret apiKey, ObjectMapper mapper) {
    ErrorBody error = ErrorBody.parse(body, mapper);
    FailureType type = failureType(status, error);
    Optional<Duration> hint = RetryHints.fromHeaders(headers, now);
    if (hint.isEmpty()) {
      hint = error.retryDelay();
    }
    String message = describe(status, error);
    return new ProviderException(
        type,
        status,
        type.retryable() ? hint.orElse(null) : null,
        ProviderMessages.withoutSecret(message, apiKey),
        null);
  }

  static FailureType failureType(int status, ErrorBody error) {
    if (status == 429 && error.longQuotaExhausted()) {
      return FailureType.QUOTA_EXHAUSTED;
    }
    if (status == 400 && "API_KEY_INVALID".equals(error.reason())) {
      return FailureType.AUTHENTICATION;
    }
    return HttpFailureTypes.forStatus(status);
  }

  private static String describe(int status, ErrorBody error) {
    StringBuilder text = new StringBuilder("Gemini API HTTP ").append(status);
    if (!error.status().isEmpty()) {
      text.append(" (").append(error.status()).append(')');
    }
    if (!error.message().isEmpty()) {
      text.append(": ").append(error.message());
    }
    if (!error.quotaIds().isEmpty()) {
      text.append(" [quota ").append(error.quotaIds()).append(']');
    }
    return text.toString();
  }

  /**
   * What the classification reads of an error body; missing parts are empty.
   *
   * @param status the canonical code name, e.g. {@code RESOURCE_EXHAUSTED}
   * @param reason {@code ErrorInfo.reason}, e.g. {@code API_KEY_INVALID}
   * @param quotaIds the violated quotas' ids, comma-separated
   * @param retryDelay {@code RetryInfo.retryDelay}
   */
  record ErrorBody(
      String message,
      String status,
      String reason,
      String quotaIds,
      Optional<Duration> retryDelay) {

    boolean longQuotaExhausted() {
      return LONG_QUOTA.matcher(quotaIds).find();
    }

    static ErrorBody parse(String body, ObjectMapper mapper) {
      if (body == null || body.isBlank()) {
        return new ErrorBody("", "", "", "", Optional.empty());
      }
      JsonNode root;
      try {
        root = mapper.readTree(body);
      } catch (JsonProcessingException e) {
        return new ErrorBody(ProviderMessages.safeExcerpt(body), "", "", "", Optional.empty());
      }
      // Gateways in front of the API sometimes answer with a JSON array of one status.
      JsonNode error = (root.isArray() ? root.path(0) : root).path("error");
      if (!error.isObject()) {
        return new ErrorBody(ProviderMessages.safeExcerpt(body), "", "", "", Optional.empty());
      }
      String reason = "";
      StringBuilder quotaIds = new StringBuilder();
      Optional<Duration> retryDelay = Optional.empty();
      for (JsonNode detail : error.path("details")) {
        switch (detail.path("@type").asText().replace(TYPE_PREFIX, "")) {
          case "ErrorInfo" -> reason = detail.path("reason").asText("");
          case "QuotaFailure" -> {
            for (JsonNode violation : detail.path("violations")) {
              String id = violation.path("quotaId").asText("");
              if (!id.isEmpty()) {
                quotaIds.append(quotaIds.isEmpty() ? "" : ",").append(id);
              }
            }
          }
          case "RetryInfo" ->
              retryDelay = RetryHints.protobufDuration(detail.path("retryDelay").asText(null));
          default -> {
            // Help links, BadRequest field violations and others: the message says enough.
          }
        }
      }
      return new ErrorBody(
          ProviderMessages.safeExcerpt(error.path("message").asText("")),
          error.path("status").asText(""),
          reason,
          quotaIds.toString(),
          retryDelay);
    }
  }
}
