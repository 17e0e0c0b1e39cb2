package dev.loupe.provider.openai;

/**
 * What {@link FakeOpenAiServer} saw in one schema-valid Chat Completions request. Image bytes are
 * not kept, only a digest, so a long run does not hold every image in memory.
 *
 * @param sequence 1 for the first request the server received, counting every request
 * @param model the requested model
 * @param system the system message text, or null
 * @param text the user turn's text parts, joined with newlines
 * @param imageDigest SHA-256 (hex) of the first image URL, or null when there is no image
 * @param schemaName {@code response_format.json_schema.name}, or null for free text
 * @param maxOutputTokens {@code max_completion_tokens}, else {@code max_tokens}, else 0
 */
public record FakeRequest(
    int sequence,
    String model,
    String system,
    String text,
    String imageDigest,
    String schemaName,
    int maxOutputTokens) {

  public boolean hasImage() {
    return imageDigest != null;
  }

  public boolean structured() {
    return schemaName != null;
  }
}
