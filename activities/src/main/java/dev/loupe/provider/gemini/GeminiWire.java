package dev.loupe.provider.gemini;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The {@code generateContent} JSON that {@link GeminiCodec} writes and reads: the fields Loupe uses
 * of {@code GenerateContentRequest} and {@code GenerateContentResponse}. Requests use the REST
 * reference's names ({@code inline_data}, {@code mime_type}; the API takes both cases); responses
 * come in lowerCamelCase. Null fields are left out; unknown response fields are ignored.
 */
final class GeminiWire {
  private GeminiWire() {}

  record GenerateRequest(
      List<Content> contents, Content systemInstruction, GenerationConfig generationConfig) {}

  record Content(String role, List<Part> parts) {}

  /** Exactly one of {@code text} and {@code inlineData}. */
  record Part(String text, @JsonProperty("inline_data") Blob inlineData) {
    static Part text(String text) {
      return new Part(text, null);
    }

    static Part image(String mimeType, String base64) {
      return new Part(null, new Blob(mimeType, base64));
    }
  }

  /**
   * @param data base64 without a {@code data:} prefix
   */
  record Blob(@JsonProperty("mime_type") String mimeType, String data) {}

  /**
   * @param responseJsonSchema a JSON Schema (Gemini 2.5 and later)
   * @param responseSchema the older OpenAPI-subset schema (Gemini 1.5 and 2.0)
   */
  record GenerationConfig(
      int maxOutputTokens,
      String responseMimeType,
      JsonNode responseJsonSchema,
      JsonNode responseSchema) {}

  record GenerateResponse(
      List<Candidate> candidates,
      PromptFeedback promptFeedback,
      UsageMetadata usageMetadata,
      String modelVersion,
      String responseId) {}

  record Candidate(ResponseContent content, String finishReason, String finishMessage) {}

  record ResponseContent(String role, List<ResponsePart> parts) {}

  /**
   * @param thought true for a thinking model's thought summary, which is not the answer
   */
  record ResponsePart(String text, Boolean thought) {}

  record PromptFeedback(String blockReason, String blockReasonMessage) {}

  /** All counts are optional in the API: missing reads as 0. */
  record UsageMetadata(
      long promptTokenCount,
      long candidatesTokenCount,
      long thoughtsTokenCount,
      long toolUsePromptTokenCount,
      long cachedContentTokenCount,
      long totalTokenCount) {
    static final UsageMetadata NONE = new UsageMetadata(0, 0, 0, 0, 0, 0);
  }
}
