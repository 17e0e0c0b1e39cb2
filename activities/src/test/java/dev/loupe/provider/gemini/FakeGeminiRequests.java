package dev.loupe.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.provider.fake.FakeAnswers;
import dev.loupe.provider.fake.FakeRequest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@link FakeGeminiServer} accepts as a {@code GenerateContentRequest}: the fields of the REST
 * reference in either case ({@code inline_data} or {@code inlineData}), each part exactly one of
 * its kinds, inline images of the MIME types the API documents with real base64 data, and a schema
 * only together with {@code responseMimeType: application/json}. The messages imitate the API's:
 * {@code Invalid JSON payload received. Unknown name "x" at 'generation_config': Cannot find
 * field.}
 */
final class FakeGeminiRequests {
  private static final Set<String> TOP_LEVEL =
      Set.of(
          "contents",
          "systemInstruction",
          "system_instruction",
          "generationConfig",
          "generation_config",
          "safetySettings",
          "safety_settings",
          "tools",
          "toolConfig",
          "tool_config",
          "cachedContent",
          "cached_content");
  private static final Set<String> GENERATION_CONFIG =
      Set.of(
          "maxOutputTokens",
          "temperature",
          "topP",
          "topK",
          "candidateCount",
          "stopSequences",
          "seed",
          "responseMimeType",
          "responseSchema",
          "responseJsonSchema",
          "mediaResolution",
          "thinkingConfig",
          "presencePenalty",
          "frequencyPenalty");
  private static final Set<String> IMAGE_TYPES =
      Set.of("image/png", "image/jpeg", "image/webp", "image/heic", "image/heif");
  private static final Set<String> ROLES = Set.of("user", "model");

  private FakeGeminiRequests() {}

  static List<String> violations(JsonNode body) {
    List<String> problems = new ArrayList<>();
    unknownNames(body, TOP_LEVEL, "", problems);
    JsonNode contents = body.path("contents");
    if (!contents.isArray() || contents.isEmpty()) {
      problems.add("* GenerateContentRequest.contents: contents is not specified");
    }
    for (int i = 0; i < contents.size(); i++) {
      JsonNode content = contents.get(i);
      String role = content.path("role").asText("user");
      if (!ROLES.contains(role)) {
        problems.add("Please use a valid role: user, model. (contents[" + i + "].role)");
      }
      parts(content.path("parts"), "contents[" + i + "]", problems);
    }
    JsonNode system = field(body, "systemInstruction", "system_instruction");
    if (!system.isMissingNode()) {
      parts(system.path("parts"), "system_instruction", problems);
    }
    JsonNode config = field(body, "generationConfig", "generation_config");
    if (!config.isMissingNode()) {
      generationConfig(config, problems);
    }
    return problems;
  }

  private static void parts(JsonNode parts, String where, List<String> problems) {
    if (!parts.isArray() || parts.isEmpty()) {
      problems.add(
          "* GenerateContentRequest." + where + ".parts: contents.parts must not be empty.");
      return;
    }
    for (int j = 0; j < parts.size(); j++) {
      JsonNode part = parts.get(j);
      String at = where + ".parts[" + j + "]";
      unknownNames(
          part,
          Set.of("text", "inline_data", "inlineData", "file_data", "fileData", "thought"),
          at,
          problems);
      int kinds =
          (part.has("text") ? 1 : 0)
              + (part.has("inline_data") || part.has("inlineData") ? 1 : 0)
              + (part.has("file_data") || part.has("fileData") ? 1 : 0);
      if (kinds != 1) {
        problems.add("Invalid value at '" + at + "' (oneof field 'data' is " + kinds + " times)");
      }
      JsonNode blob = field(part, "inline_data", "inlineData");
      if (!blob.isMissingNode()) {
        inlineData(blob, at, problems);
      }
    }
  }

  private static void inlineData(JsonNode blob, String at, List<String> problems) {
    unknownNames(blob, Set.of("mime_type", "mimeType", "data"), at + ".inline_data", problems);
    String mimeType = field(blob, "mime_type", "mimeType").asText("");
    if (!IMAGE_TYPES.contains(mimeType)) {
      problems.add("Unsupported MIME type: " + mimeType + " (" + at + ")");
    }
    String data = blob.path("data").asText("");
    if (data.isEmpty() || data.startsWith("data:")) {
      problems.add(
          "Invalid value at '" + at + ".inline_data.data' (TYPE_BYTES), Base64 decoding failed");
      return;
    }
    try {
      Base64.getDecoder().decode(data);
    } catch (IllegalArgumentException e) {
      problems.add(
          "Invalid value at '" + at + ".inline_data.data' (TYPE_BYTES), Base64 decoding failed");
    }
  }

  private static void generationConfig(JsonNode config, List<String> problems) {
    unknownNames(config, GENERATION_CONFIG, "generation_config", problems);
    JsonNode max = config.path("maxOutputTokens");
    if (!max.isMissingNode() && (!max.canConvertToInt() || max.asInt() < 1)) {
      problems.add("maxOutputTokens must be a positive integer");
    }
    boolean jsonSchema = config.has("responseJsonSchema");
    boolean schema = config.has("responseSchema");
    if (jsonSchema && schema) {
      problems.add("responseSchema and responseJsonSchema cannot both be set");
    }
    if ((jsonSchema || schema)
        && !"application/json".equals(config.path("responseMimeType").asText())) {
      problems.add(
          "* GenerateContentRequest.generation_config.response_mime_type: a response schema"
              + " needs response_mime_type application/json");
    }
    if (schema) {
      openApiTypes(config.get("responseSchema"), problems);
    }
  }

  /** The older {@code Schema} takes no {@code additionalProperties} and upper-case types. */
  private static void openApiTypes(JsonNode schema, List<String> problems) {
    if (schema.has("additionalProperties")) {
      problems.add(
          "Invalid JSON payload received. Unknown name \"additionalProperties\" at"
              + " 'generation_config.response_schema': Cannot find field.");
    }
    JsonNode type = schema.path("type");
    if (type.isTextual() && !type.asText().equals(type.asText().toUpperCase(Locale.ROOT))) {
      problems.add("Invalid value at 'generation_config.response_schema.type': " + type);
    }
    schema.path("properties").forEach(property -> openApiTypes(property, problems));
    if (schema.has("items")) {
      openApiTypes(schema.get("items"), problems);
    }
  }

  private static void unknownNames(
      JsonNode node, Set<String> known, String at, List<String> problems) {
    node.fieldNames()
        .forEachRemaining(
            name -> {
              if (!known.contains(name)) {
                problems.add(
                    "Invalid JSON payload received. Unknown name \""
                        + name
                        + "\" at '"
                        + at
                        + "': Cannot find field.");
              }
            });
  }

  private static JsonNode field(JsonNode node, String camel, String snake) {
    return node.has(camel) ? node.get(camel) : node.path(snake);
  }

  /** The request in the fakes' common terms; call only on a request without violations. */
  static FakeRequest describe(int sequence, String model, JsonNode body) {
    List<String> system = new ArrayList<>();
    field(body, "systemInstruction", "system_instruction")
        .path("parts")
        .forEach(part -> system.add(part.path("text").asText()));
    List<String> user = new ArrayList<>();
    String imageDigest = null;
    for (JsonNode content : body.path("contents")) {
      for (JsonNode part : content.path("parts")) {
        if (part.has("text")) {
          user.add(part.get("text").asText());
        }
        JsonNode blob = field(part, "inline_data", "inlineData");
        if (!blob.isMissingNode() && imageDigest == null) {
          imageDigest = FakeAnswers.sha256(blob.path("data").asText());
        }
      }
    }
    JsonNode config = field(body, "generationConfig", "generation_config");
    JsonNode schema =
        config.has("responseJsonSchema")
            ? config.get("responseJsonSchema")
            : config.path("responseSchema");
    return new FakeRequest(
        sequence,
        model,
        system.isEmpty() ? null : String.join("\n", system),
        String.join("\n", user),
        imageDigest,
        schema.isObject() ? FakeGeminiServer.schemaName(schema) : null,
        config.path("maxOutputTokens").asInt(0),
        null);
  }
}
