package dev.loupe.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contract.Lane;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 * @param lane how the call travels; {@link Lane#FLEX} asks for the provider's flex tier
 */
public record ModelRequest(
    String model,
    String system,
    String text,
    PreparedImage image,
    OutputSchema schema,
    int maxOutputTokens,
    Lane lane) {

  public ModelRequest {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(lane, "lane");
    if (maxOutputTokens <= 0) {
      throw new IllegalArgumentException("maxOutputTokens must be positive: " + maxOutputTokens);
    }
  }

  /** An online call. */
  public ModelRequest(
      String model,
      String system,
      String text,
      PreparedImage image,
      OutputSchema schema,
      int maxOutputTokens) {
    this(model, system, text, image, schema, maxOutputTokens, Lane.ONLINE);
  }

  /**
   * The request as the response cache identifies it: online, and with the image's bytes replaced by
   * their SHA-256 (so encoding it is cheap and the key never holds the image).
   */
  public ModelRequest canonical() {
    PreparedImage digest =
        image == null
            ? null
            : new PreparedImage(
                sha256(image.bytes()), image.mimeType(), image.width(), image.height());
    return new ModelRequest(model, system, text, digest, schema, maxOutputTokens, Lane.ONLINE);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
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
