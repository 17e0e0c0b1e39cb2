package dev.loupe.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One model call: an optional system prompt, one user turn of text and an optional image, and an
 * optional JSON schema the output must follow (structured output).
 *
 * @param model the model name at the endpoint
 * @param system system prompt, or null
 * @param text user text
 * @param image the image prepared for this provider, or null for a text-only call
 * @param schema structured-output schema, or null for free text
 * @param maxOutputTokens cap on output tokens
 */
public record ModelRequest(
    String model,
    String system,
    String text,
    PreparedImage image,
    OutputSchema schema,
    int maxOutputTokens) {

  public ModelRequest {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(text, "text");
    if (maxOutputTokens <= 0) {
      throw new IllegalArgumentException("maxOutputTokens must be positive: " + maxOutputTokens);
    }
  }

  /** Image bytes re-encoded for the provider, with the MIME type that matches them. */
  public record PreparedImage(byte[] bytes, String mimeType, int width, int height) {}

  /**
   * A JSON schema (draft 2020-12 subset that every provider accepts: object, array, string,
   * boolean, integer, number, enum, required, additionalProperties false).
   *
   * @param name schema name, [a-zA-Z0-9_-]
   * @param schema the schema
   */
  public record OutputSchema(String name, JsonNode schema) {}
}
