package dev.loupe.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.loupe.contract.FailureType;

/**
 * The check every client makes on structured output before returning it: one JSON object, nothing
 * after it, no duplicate keys. Whether it matches the schema is the stage's business.
 */
public final class StructuredText {
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private StructuredText() {}

  /**
   * @param status the HTTP status of the answer, for the failure
   * @param requestIdSuffix from {@link ProviderMessages#requestIdSuffix}
   * @throws ProviderException {@link FailureType#MALFORMED_OUTPUT}, without quoting the output
   */
  public static void requireJsonObject(String content, int status, String requestIdSuffix)
      throws ProviderException {
    JsonNode parsed;
    try {
      parsed = STRICT.readTree(content);
    } catch (JsonProcessingException e) {
      throw new ProviderException(
          FailureType.MALFORMED_OUTPUT,
          status,
          null,
          "structured output is not valid JSON ("
              + content.length()
              + " chars, "
              + ProviderMessages.where(e)
              + ")"
              + requestIdSuffix,
          null);
    }
    if (parsed == null || !parsed.isObject()) {
      throw new ProviderException(
          FailureType.MALFORMED_OUTPUT,
          status,
          null,
          "structured output is JSON "
              + (parsed == null ? "nothing" : parsed.getNodeType())
              + ", not an object"
              + requestIdSuffix,
          null);
    }
  }
}
