package dev.loupe.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.provider.fake.FakeAnswers;
import dev.loupe.provider.fake.FakeRequest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What {@link FakeAnthropicServer} accepts as a Messages request (SDK {@code MessageCreateParams}):
 * {@code model}, {@code max_tokens} ≥ 1 and {@code messages} required, roles alternating from
 * {@code user}, text and image blocks, base64 images of the four documented media types without a
 * {@code data:} prefix, tools named {@code ^[a-zA-Z0-9_-]{1,64}$} with an object input schema, and
 * a {@code tool_choice} that names one of them. Unknown fields are refused as the API does: {@code
 * x: Extra inputs are not permitted}.
 */
final class FakeAnthropicRequests {
  private static final Set<String> TOP_LEVEL =
      Set.of(
          "model",
          "max_tokens",
          "messages",
          "system",
          "metadata",
          "stop_sequences",
          "stream",
          "temperature",
          "top_p",
          "top_k",
          "tools",
          "tool_choice",
          "thinking",
          "service_tier");
  private static final Set<String> MEDIA_TYPES =
      Set.of("image/jpeg", "image/png", "image/gif", "image/webp");
  private static final Set<String> TOOL_CHOICES = Set.of("auto", "any", "tool", "none");
  private static final Pattern TOOL_NAME = Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");

  private FakeAnthropicRequests() {}

  static List<String> violations(JsonNode body) {
    List<String> problems = new ArrayList<>();
    body.fieldNames()
        .forEachRemaining(
            name -> {
              if (!TOP_LEVEL.contains(name)) {
                problems.add(name + ": Extra inputs are not permitted");
              }
            });
    if (!body.path("model").isTextual()) {
      problems.add("model: Field required");
    }
    if (!body.path("max_tokens").canConvertToInt() || body.path("max_tokens").asInt() < 1) {
      problems.add("max_tokens: Field required (an integer of at least 1)");
    }
    if (body.path("stream").asBoolean(false)) {
      problems.add("stream: the fake does not stream");
    }
    JsonNode system = body.path("system");
    if (!system.isMissingNode() && !system.isTextual() && !system.isArray()) {
      problems.add("system: Input should be a valid string or list of text blocks");
    }
    messages(body.path("messages"), problems);
    Set<String> tools = tools(body.path("tools"), problems);
    toolChoice(body.path("tool_choice"), tools, problems);
    return problems;
  }

  private static void messages(JsonNode messages, List<String> problems) {
    if (!messages.isArray() || messages.isEmpty()) {
      problems.add("messages: at least one message is required");
      return;
    }
    for (int i = 0; i < messages.size(); i++) {
      JsonNode message = messages.get(i);
      String expected = i % 2 == 0 ? "user" : "assistant";
      if (!expected.equals(message.path("role").asText())) {
        problems.add(
            "messages."
                + i
                + ".role: roles must alternate between \"user\" and \"assistant\", starting with"
                + " \"user\"");
      }
      JsonNode content = message.path("content");
      if (content.isTextual()) {
        continue;
      }
      if (!content.isArray() || content.isEmpty()) {
        problems.add("messages." + i + ".content: Field required");
        continue;
      }
      for (int j = 0; j < content.size(); j++) {
        block(content.get(j), "messages." + i + ".content." + j, problems);
      }
    }
  }

  private static void block(JsonNode block, String at, List<String> problems) {
    JsonNode cacheControl = block.path("cache_control");
    if (!cacheControl.isMissingNode() && !"ephemeral".equals(cacheControl.path("type").asText())) {
      problems.add(at + ".cache_control.type: Input should be 'ephemeral'");
    }
    switch (block.path("type").asText()) {
      case "text" -> {
        if (!block.path("text").isTextual()) {
          problems.add(at + ".text: Field required");
        }
      }
      case "image" -> image(block.path("source"), at + ".source", problems);
      default ->
          problems.add(
              at
                  + ".type: Input tag '"
                  + block.path("type").asText()
                  + "' does not match any of the expected tags");
    }
  }

  private static void image(JsonNode source, String at, List<String> problems) {
    switch (source.path("type").asText()) {
      case "base64" -> {
        if (!MEDIA_TYPES.contains(source.path("media_type").asText())) {
          problems.add(
              at
                  + ".media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or"
                  + " 'image/webp'");
        }
        String data = source.path("data").asText("");
        try {
          if (data.isEmpty() || data.startsWith("data:")) {
            throw new IllegalArgumentException("prefix");
          }
          Base64.getDecoder().decode(data);
        } catch (IllegalArgumentException e) {
          problems.add(at + ".data: Input is not valid base64 (no data: prefix)");
        }
      }
      case "url" -> {
        if (!source.path("url").isTextual()) {
          problems.add(at + ".url: Field required");
        }
      }
      default -> problems.add(at + ".type: Input should be 'base64' or 'url'");
    }
  }

  private static Set<String> tools(JsonNode tools, List<String> problems) {
    Set<String> names = new HashSet<>();
    if (tools.isMissingNode()) {
      return names;
    }
    for (int i = 0; i < tools.size(); i++) {
      JsonNode tool = tools.get(i);
      String name = tool.path("name").asText("");
      if (!TOOL_NAME.matcher(name).matches()) {
        problems.add("tools." + i + ".name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'");
      }
      if (!"object".equals(tool.path("input_schema").path("type").asText())) {
        problems.add("tools." + i + ".input_schema.type: Input should be 'object'");
      }
      names.add(name);
    }
    return names;
  }

  private static void toolChoice(JsonNode choice, Set<String> tools, List<String> problems) {
    if (choice.isMissingNode()) {
      return;
    }
    String type = choice.path("type").asText();
    if (!TOOL_CHOICES.contains(type)) {
      problems.add("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
    }
    if ("tool".equals(type) && !tools.contains(choice.path("name").asText())) {
      problems.add("tool_choice.name: tool '" + choice.path("name").asText() + "' not found");
    }
  }

  /** The request in the fakes' common terms; call only on a request without violations. */
  static FakeRequest describe(int sequence, JsonNode body) {
    JsonNode system = body.path("system");
    List<String> systemTexts = new ArrayList<>();
    if (system.isTextual()) {
      systemTexts.add(system.asText());
    }
    system.forEach(block -> systemTexts.add(block.path("text").asText()));
    List<String> user = new ArrayList<>();
    String imageDigest = null;
    for (JsonNode message : body.path("messages")) {
      if (!"user".equals(message.path("role").asText())) {
        continue;
      }
      JsonNode content = message.path("content");
      if (content.isTextual()) {
        user.add(content.asText());
      }
      for (JsonNode block : content) {
        if ("text".equals(block.path("type").asText())) {
          user.add(block.path("text").asText());
        } else if ("image".equals(block.path("type").asText()) && imageDigest == null) {
          JsonNode source = block.path("source");
          imageDigest = FakeAnswers.sha256(source.path("data").asText(source.path("url").asText()));
        }
      }
    }
    JsonNode choice = body.path("tool_choice");
    String schemaName =
        "tool".equals(choice.path("type").asText()) ? choice.get("name").asText() : null;
    return new FakeRequest(
        sequence,
        body.path("model").asText(),
        systemTexts.isEmpty() ? null : String.join("\n", systemTexts),
        String.join("\n", user),
        imageDigest,
        schemaName,
        body.path("max_tokens").asInt(),
        null);
  }

  /** The digest of the image block that carries {@code cache_control}, or null. */
  static String cachedImageDigest(JsonNode body) {
    for (JsonNode message : body.path("messages")) {
      for (JsonNode block : message.path("content")) {
        if ("image".equals(block.path("type").asText()) && block.has("cache_control")) {
          JsonNode source = block.path("source");
          return FakeAnswers.sha256(source.path("data").asText(source.path("url").asText()));
        }
      }
    }
    return null;
  }
}
