package dev.loupe.provider.openai;

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
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Headers;

/**
 * Classifies a Chat Completions error response (any status but 2xx) into a {@link
 * ProviderException}. Reads OpenAI's envelope {@code {"error":{"message","type","param","code"}}},
 * vLLM's and SGLang's flat {@code {"object":"error","message",...}} and a bare {@code
 * {"error":"text"}}; anything else is kept as a short excerpt of the body.
 */
final class OpenAiErrors {
  private static final Pattern TRY_AGAIN_IN =
      Pattern.compile("(?i)try again in\\s+((?:\\d+(?:\\.\\d+)?(?:ns|us|µs|ms|s|m|h))+)");
  private static final Set<String> QUOTA_CODES =
      Set.of(
          "insufficient_quota",
          "billing_hard_limit_reached",
          "billing_not_active",
          "spend_limit_reached",
          "usage_limit_reached");
  private static final Pattern QUOTA_MESSAGE =
      Pattern.compile("(?i)exceeded your current quota|billing|spend(?:ing)? limit|usage limit");

  private OpenAiErrors() {}

  /**
   * The failure for an HTTP error response.
   *
   * @param status the HTTP status, not 2xx
   * @param headers the response headers, for retry hints
   * @param body the response body, possibly empty or not JSON
   * @param requestId the {@code x-request-id} header, or null
   * @param now when the response arrived, for HTTP-date retry hints
   * @param apiKey the key the request carried, or null; removed should the server echo it
   * @param mapper a lenient JSON reader
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
    Optional<Duration> hint = RetryHints.fromHeaders(headers, now);
    FailureType type = failureType(status, error);
    if (type == FailureType.RATE_LIMITED && hint.isEmpty()) {
      hint = hintInMessage(error.message());
    }
    String message = describe(status, error, requestId);
    return new ProviderException(
        type, status, hint.orElse(null), ProviderMessages.withoutSecret(message, apiKey), null);
  }

  static FailureType failureType(int status, ErrorBody error) {
    return status == 429 ? tooManyRequests(error) : HttpFailureTypes.forStatus(status);
  }

  /**
   * A 429 is a rate limit that waiting cures, unless it is a quota or spend cap (waiting does not
   * help) or a single request larger than the tokens-per-minute limit (it never fits).
   */
  private static FailureType tooManyRequests(ErrorBody error) {
    if (QUOTA_CODES.contains(error.code()) || QUOTA_CODES.contains(error.type())) {
      return FailureType.QUOTA_EXHAUSTED;
    }
    if (QUOTA_MESSAGE.matcher(error.message()).find()) {
      return FailureType.QUOTA_EXHAUSTED;
    }
    if (error.message().toLowerCase(Locale.ROOT).contains("request too large")) {
      return FailureType.BAD_REQUEST;
    }
    return FailureType.RATE_LIMITED;
  }

  /** OpenAI's rate-limit messages say "Please try again in 644ms" or "in 2.5s" or "in 1m30s". */
  static Optional<Duration> hintInMessage(String message) {
    Matcher matcher = TRY_AGAIN_IN.matcher(message);
    return matcher.find() ? RetryHints.goDuration(matcher.group(1)) : Optional.empty();
  }

  private static String describe(int status, ErrorBody error, String requestId) {
    StringBuilder text = new StringBuilder("OpenAI API HTTP ").append(status);
    if (!error.code().isEmpty()) {
      text.append(" (").append(error.code()).append(')');
    } else if (!error.type().isEmpty()) {
      text.append(" (").append(error.type()).append(')');
    }
    if (!error.message().isEmpty()) {
      text.append(": ").append(error.message());
    }
    if (requestId != null) {
      text.append(" [x-request-id ").append(requestId).append(']');
    }
    return text.toString();
  }

  /**
   * The parts of an error body the classification reads; missing parts are empty strings.
   *
   * @param code OpenAI's string code, or vLLM's integer status as text
   */
  record ErrorBody(String message, String type, String code) {

    static ErrorBody parse(String body, ObjectMapper mapper) {
      if (body == null || body.isBlank()) {
        return new ErrorBody("", "", "");
      }
      JsonNode root;
      try {
        root = mapper.readTree(body);
      } catch (JsonProcessingException e) {
        return new ErrorBody(ProviderMessages.safeExcerpt((body)), "", "");
      }
      JsonNode error = root.path("error");
      if (error.isTextual()) {
        return new ErrorBody(ProviderMessages.safeExcerpt((error.asText())), "", "");
      }
      JsonNode fields = error.isObject() ? error : root;
      if (!fields.isObject() || !fields.has("message")) {
        return new ErrorBody(ProviderMessages.safeExcerpt((body)), "", "");
      }
      return new ErrorBody(
          ProviderMessages.safeExcerpt((text(fields.get("message")))),
          text(fields.get("type")),
          text(fields.get("code")));
    }

    private static String text(JsonNode node) {
      return node == null || node.isNull() || node.isContainerNode() ? "" : node.asText();
    }
  }
}
