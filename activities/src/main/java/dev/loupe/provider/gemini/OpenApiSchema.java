package dev.loupe.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns the JSON Schema subset of {@code ModelRequest.OutputSchema} into Gemini's older {@code
 * Schema} (an OpenAPI 3.0 subset): type names upper-case, and keywords it lacks, such as {@code
 * additionalProperties}, left out. {@code propertyOrdering} keeps the properties in the order the
 * schema lists them, which the older models otherwise sort.
 */
final class OpenApiSchema {
  private static final Set<String> KEPT =
      Set.of("description", "enum", "required", "format", "nullable", "minItems", "maxItems");

  private OpenApiSchema() {}

  static JsonNode from(JsonNode schema) {
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> field : schema.properties()) {
      String name = field.getKey();
      JsonNode value = field.getValue();
      switch (name) {
        case "type" -> result.put("type", value.asText().toUpperCase(Locale.ROOT));
        case "items" -> result.set("items", from(value));
        case "properties" -> {
          ObjectNode properties = result.putObject("properties");
          ArrayNode order = result.putArray("propertyOrdering");
          for (Map.Entry<String, JsonNode> property : value.properties()) {
            properties.set(property.getKey(), from(property.getValue()));
            order.add(property.getKey());
          }
        }
        default -> {
          if (KEPT.contains(name)) {
            result.set(name, value.deepCopy());
          }
        }
      }
    }
    return result;
  }
}
