package dev.loupe.provider.openai;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The Chat Completions JSON that {@link OpenAiCodec} writes and reads: the fields Loupe uses of the
 * spec's {@code CreateChatCompletionRequest} and {@code CreateChatCompletionResponse}. Null fields
 * are left out of requests; unknown response fields are ignored.
 */
final class OpenAiWire {
  private OpenAiWire() {}

  record ChatRequest(
      String model,
      List<Message> messages,
      @JsonProperty("max_completion_tokens") Integer maxCompletionTokens,
      @JsonProperty("max_tokens") Integer maxTokens,
      @JsonProperty("response_format") ResponseFormat responseFormat) {}

  sealed interface Message permits SystemMessage, UserMessage {}

  record SystemMessage(String role, String content) implements Message {
    SystemMessage(String content) {
      this("system", content);
    }
  }

  record UserMessage(String role, List<ContentPart> content) implements Message {
    UserMessage(List<ContentPart> content) {
      this("user", content);
    }
  }

  sealed interface ContentPart permits TextPart, ImagePart {}

  record TextPart(String type, String text) implements ContentPart {
    TextPart(String text) {
      this("text", text);
    }
  }

  record ImagePart(String type, @JsonProperty("image_url") ImageUrl imageUrl)
      implements ContentPart {
    ImagePart(ImageUrl imageUrl) {
      this("image_url", imageUrl);
    }
  }

  /**
   * @param url an http(s) URL or a {@code data:<mime>;base64,<data>} URL
   * @param detail {@code auto}, {@code low} or {@code high}
   */
  record ImageUrl(String url, String detail) {}

  record ResponseFormat(String type, @JsonProperty("json_schema") JsonSchemaFormat jsonSchema) {
    static ResponseFormat jsonSchema(String name, JsonNode schema) {
      return new ResponseFormat("json_schema", new JsonSchemaFormat(name, schema, true));
    }
  }

  record JsonSchemaFormat(String name, JsonNode schema, boolean strict) {}

  record ChatResponse(String id, String model, List<Choice> choices, Usage usage) {}

  record Choice(
      int index, ResponseMessage message, @JsonProperty("finish_reason") String finishReason) {}

  record ResponseMessage(String role, String content, String refusal) {}

  /** {@code prompt_tokens} includes the cached ones. */
  record Usage(
      @JsonProperty("prompt_tokens") long promptTokens,
      @JsonProperty("completion_tokens") long completionTokens,
      @JsonProperty("total_tokens") long totalTokens,
      @JsonProperty("prompt_tokens_details") PromptTokensDetails promptTokensDetails) {
    static final Usage NONE = new Usage(0, 0, 0, null);

    long cachedTokens() {
      return promptTokensDetails == null ? 0 : promptTokensDetails.cachedTokens();
    }
  }

  record PromptTokensDetails(@JsonProperty("cached_tokens") long cachedTokens) {}
}
