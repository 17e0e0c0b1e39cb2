package dev.loupe.provider.fake;

/**
 * What a fake model server (OpenAI, Gemini, Anthropic) saw in one valid request, in terms common to
 * the three APIs. Image bytes are not kept, only a digest, so a long run does not hold every image
 * in memory.
 *
 * @param sequence 1 for the first request the server received, counting every request
 * @param model the requested model
 * @param system the system instruction's text, or null
 * @param text the user turn's text parts, joined with newlines
 * @param imageDigest SHA-256 (hex) of the first image as sent (data URL or base64), or null when
 *     there is no image
 * @param schemaName the structured output's name ({@code response_format.json_schema.name}, the
 *     forced tool's name), or null for free text
 * @param maxOutputTokens the output cap the request set, or 0
 * @param serviceTier the OpenAI {@code service_tier} asked for ({@code flex}…), or null when the
 *     request named none or its API has none
 */
public record FakeRequest(
    int sequence,
    String model,
    String system,
    String text,
    String imageDigest,
    String schemaName,
    int maxOutputTokens,
    String serviceTier) {

  public boolean hasImage() {
    return imageDigest != null;
  }

  public boolean structured() {
    return schemaName != null;
  }
}
