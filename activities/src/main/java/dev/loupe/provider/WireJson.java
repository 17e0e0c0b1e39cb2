package dev.loupe.provider;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * How provider JSON is written and read: null fields are left out of requests, unknown and null
 * response fields are ignored (missing counts read as 0).
 */
public final class WireJson {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .defaultPropertyInclusion(
              JsonInclude.Value.construct(
                  JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
          .build();

  private WireJson() {}

  /** The lenient reader and writer. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** A wire record as a JSON object. */
  public static ObjectNode tree(Object wireRecord) {
    return MAPPER.valueToTree(wireRecord);
  }

  /** A JSON tree as UTF-8 bytes. */
  public static byte[] bytes(JsonNode tree) {
    try {
      return MAPPER.writeValueAsBytes(tree);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write a provider request", e);
    }
  }

  /** Reads {@code body} as {@code type}. */
  public static <T> T read(byte[] body, Class<T> type) throws IOException {
    return MAPPER.readValue(body, type);
  }
}
