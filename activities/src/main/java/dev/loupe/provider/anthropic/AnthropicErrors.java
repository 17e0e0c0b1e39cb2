package dev.loupe.provider.anthropic;

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
 * Classifies a Messages API error response, {@code
 * {"type":"error","error":{"type","message"},"request_id"}}. Error types grow over time, so the
 * status decides, refined where the body says more: a spend cap is {@code error.details.error_code
 * = enforced_spend_limit_reached} behind a 429 (or the "usage limits" message behind a 400), and
 * waiting does not cure it.
 */
final class AnthropicErrors {
  private static final Pattern SPEND_LIMIT_MESSAGE =
      Pattern.compile("(?i)specified API usage limits|spend limit");

  private AnthropicErrors() {}

  /**
   * @param status the HTTP status, not 2xx
   * @param headers for {@code retry-after}
   * @param body the response body, possibly empty or not JSON
   * @param requestId the {@code request-id} header, or null
   * @param now when the response arrived
   * @param apiKey the key sent, removed should the server echo it
   */
  static ProviderException classify(
      int status,
      Headers headers,
      String body,
      String requestId,
      Instant now,
      Secret apiKey,
      ObjectMapper mapper) {
    ErrorBody error = ErrorBody.parse(body, mapper);
    FailureType type = failureType(status, error);
    Optional<Duration> hint =
        type.retryable() ? RetryHints.fromHeaders(headers, now) : Optional.empty();
    String message = describe(status, error, requestId == null ? error.requestId() : requestId);
    return new ProviderException(
        type, status, hint.orElse(null), ProviderMessages.withoutSecret(message, apiKey), null);
  }

  static FailureType failureType(int status, ErrorBody error) {
    boolean spendCap =
        "enforced_spend_limit_reached".equals(error.errorCode())
            || SPEND_LIMIT_MESSAGE.matcher(error.message()).find();
    if ((status == 429 || status == 400) && spendCap) {
      return FailureType.QUOTA_EXHAUSTED;
    }
    return HttpFailureTypes.forStatus(status);
  }

  private static String describe(int status, ErrorBody error, String requestId) {
    StringBuilder text = new StringBuilder("Anthropic API HTTP ").append(status);
    if (!error.errorCode().isEmpty()) {
      text.append(" (").append(error.errorCode()).append(')');
    } else if (!error.type().isEmpty()) {
      text.append(" (").append(error.type()).append(')');
    }
    if (!error.message().isEmpty()) {
      text.append(": ").append(error.message());
    }
    return text + ProviderMessages.requestIdSuffix("request-id", requestId);
  }

  /**
   * What the classification reads of an error body; missing parts are empty, except the request id,
   * which is null.
   *
   * @param type e.g. {@code overloaded_error}
   * @param errorCode {@code error.details.error_code}
   */
  record ErrorBody(String message, String type, String errorCode, String requestId) {

    static ErrorBody parse(String body, ObjectMapper mapper) {
      if (body == null || body.isBlank()) {
        return new ErrorBody("", "", "", null);
      }
      JsonNode root;
      try {
        root = mapper.readTree(body);
      } catch (JsonProcessingException e) {
        return new ErrorBody(ProviderMessages.safeExcerpt(body), "", "", null);
      }
      JsonNode error = root.path("error");
      if (!error.isObject()) {
        return new ErrorBody(ProviderMessages.safeExcerpt(body), "", "", null);
      }
      JsonNode requestId = root.path("request_id");
      return new ErrorBody(
          ProviderMessages.safeExcerpt(error.path("message").asText("")),
          error.path("type").asText(""),
          error.path("details").path("error_code").asText(""),
          requestId.isTextual() ? requestId.asText() : null);
    }
  }
}
