package dev.loupe.provider.anthropic;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The Messages JSON that {@link AnthropicCodec} writes and reads: the fields Loupe uses of the
 * SDK's {@code MessageCreateParams} and {@code Message}. Null fields are left out of requests;
 * unknown response fields are ignored.
 */
final class AnthropicWire {
  private AnthropicWire() {}

  record MessagesRequest(
      String model,
      @JsonProperty("max_tokens") int maxTokens,
      String system,
      List<Message> messages,
      List<Tool> tools,
      @JsonProperty("tool_choice") ToolChoice toolChoice) {}

  record Message(String role, List<Block> content) {}

  sealed interface Block permits TextBlock, ImageBlock {}

  record TextBlock(String type, String text) implements Block {
    TextBlock(String text) {
      this("text", text);
    }
  }

  record ImageBlock(String type, ImageSource source) implements Block {
    ImageBlock(ImageSource source) {
      this("image", source);
    }
  }

  /**
   * @param data base64 without a {@code data:} prefix
   */
  record ImageSource(String type, @JsonProperty("media_type") String mediaType, String data) {
    static ImageSource base64(String mediaType, String data) {
      return new ImageSource("base64", mediaType, data);
    }
  }

  /** A tool whose input is the structured output: forcing its use makes the model fill it in. */
  record Tool(
      String name, String description, @JsonProperty("input_schema") JsonNode inputSchema) {}

  record ToolChoice(String type, String name) {
    static ToolChoice tool(String name) {
      return new ToolChoice("tool", name);
    }
  }

  record MessageResponse(
      String id,
      String type,
      String model,
      List<ContentBlock> content,
      @JsonProperty("stop_reason") String stopReason,
      Usage usage) {}

  /** A text block ({@code text}) or a tool call ({@code name}, {@code input}). */
  record ContentBlock(String type, String text, String name, JsonNode input) {}

  /** Total input is {@code input_tokens} plus both cache counts. */
  record Usage(
      @JsonProperty("input_tokens") long inputTokens,
      @JsonProperty("output_tokens") long outputTokens,
      @JsonProperty("cache_creation_input_tokens") long cacheCreationInputTokens,
      @JsonProperty("cache_read_input_tokens") long cacheReadInputTokens) {
    static final Usage NONE = new Usage(0, 0, 0, 0);
  }
}
