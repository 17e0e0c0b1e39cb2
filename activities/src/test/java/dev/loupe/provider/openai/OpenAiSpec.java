package dev.loupe.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.AnnotationKeyword;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * The official OpenAI OpenAPI description (vendored as {@code src/test/resources/specs/}) as JSON
 * Schema validators for Chat Completions request and response bodies. The spec is OpenAPI 3.1,
 * whose schemas are JSON Schema 2020-12; the older {@code nullable: true} that some of its fields
 * still use is honoured. Loading takes a second or two, so the parsed spec is shared within a JVM.
 */
public final class OpenAiSpec {
  /** System property naming the spec file, for checkouts where it is not found by walking up. */
  public static final String LOCATION_PROPERTY = "loupe.openai.spec";

  private static final String RESOURCE = "/specs/openai-openapi.yaml";
  private static final String BASE = "https://loupe.invalid/openai-openapi.json";
  private static final String DIALECT = "https://loupe.invalid/openapi-3.1-schema-lenient";
  private static OpenAiSpec shared;

  private final JsonSchema request;
  private final JsonSchema response;

  private OpenAiSpec(JsonNode document) {
    // JSON Schema 2020-12 in which OpenAPI's own keywords (discriminator, example, x-*) and the
    // wrapper's "components" are annotations. The OpenAPI 3.1 dialect is not used: it resolves
    // discriminators through implicit mappings this spec does not define.
    JsonMetaSchema dialect =
        JsonMetaSchema.builder(DIALECT, JsonMetaSchema.getV202012())
            .unknownKeywordFactory((keyword, context) -> new AnnotationKeyword(keyword))
            .build();
    JsonSchemaFactory factory =
        JsonSchemaFactory.getInstance(
            SpecVersion.VersionFlag.V202012,
            builder -> builder.metaSchema(dialect).defaultMetaSchemaIri(DIALECT));
    SchemaValidatorsConfig config =
        SchemaValidatorsConfig.builder()
            .nullableKeywordEnabled(true)
            .formatAssertionsEnabled(true)
            .build();
    this.request = schema(factory, config, document, "CreateChatCompletionRequest");
    this.response = schema(factory, config, document, "CreateChatCompletionResponse");
  }

  /** The spec named by {@link #locate()}, parsed once per JVM. */
  public static synchronized OpenAiSpec load() {
    if (shared == null) {
      shared = new OpenAiSpec(read(locate()));
    }
    return shared;
  }

  /**
   * The spec file: the {@value #LOCATION_PROPERTY} system property if set, else the copy vendored
   * with the tests ({@value #RESOURCE} on the test class path, with its licence beside it).
   */
  public static URL locate() {
    String property = System.getProperty(LOCATION_PROPERTY);
    if (property != null && !property.isBlank()) {
      Path path = Path.of(property);
      if (!Files.isRegularFile(path)) {
        throw new IllegalStateException(LOCATION_PROPERTY + " names no file: " + path);
      }
      try {
        return path.toUri().toURL();
      } catch (MalformedURLException e) {
        throw new IllegalStateException(LOCATION_PROPERTY + " is not a usable path: " + path, e);
      }
    }
    URL vendored = OpenAiSpec.class.getResource(RESOURCE);
    if (vendored == null) {
      throw new IllegalStateException(
          "the OpenAI OpenAPI spec is not on the test class path ("
              + RESOURCE
              + "); set -D"
              + LOCATION_PROPERTY
              + "=/path/to/openai-openapi.yaml");
    }
    return vendored;
  }

  /** Why a body is not a valid {@code CreateChatCompletionRequest}; empty when it is. */
  public List<String> requestViolations(JsonNode body) {
    return violations(request, body);
  }

  /** Why a body is not a valid {@code CreateChatCompletionResponse}; empty when it is. */
  public List<String> responseViolations(JsonNode body) {
    return violations(response, body);
  }

  private static List<String> violations(JsonSchema schema, JsonNode body) {
    return schema.validate(body).stream()
        .map(ValidationMessage::getMessage)
        .distinct()
        .sorted()
        .toList();
  }

  /**
   * A schema whose root refers to one component and which carries the spec's components, so the
   * spec's {@code #/components/schemas/...} references resolve inside it.
   */
  private static JsonSchema schema(
      JsonSchemaFactory factory, SchemaValidatorsConfig config, JsonNode document, String name) {
    ObjectNode root = JsonNodeFactoryHolder.MAPPER.createObjectNode();
    root.put("$ref", "#/components/schemas/" + name);
    root.set("components", document.get("components"));
    JsonSchema schema = factory.getSchema(SchemaLocation.of(BASE), root, config);
    schema.initializeValidators();
    return schema;
  }

  private static JsonNode read(URL path) {
    LoaderOptions options = new LoaderOptions();
    // The spec is close to SnakeYAML's default 3 MB limit and still growing.
    options.setCodePointLimit(64 * 1024 * 1024);
    ObjectMapper yaml = new ObjectMapper(YAMLFactory.builder().loaderOptions(options).build());
    try (InputStream in = path.openStream()) {
      JsonNode document = yaml.readTree(in);
      if (document == null || !document.path("components").path("schemas").isObject()) {
        throw new IllegalStateException(path + " has no components.schemas");
      }
      return document;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the OpenAI spec " + path, e);
    }
  }

  private static final class JsonNodeFactoryHolder {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }
}
