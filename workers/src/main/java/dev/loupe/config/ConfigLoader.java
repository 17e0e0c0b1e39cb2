package dev.loupe.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads {@link LoupeConfig}: from a YAML file when one is given (unknown keys rejected), otherwise
 * from the providers' usual environment variables. {@code TEMPORAL_ADDRESS} and {@code
 * TEMPORAL_NAMESPACE} override the file.
 */
public final class ConfigLoader {
  static final String DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";
  static final String DEFAULT_MODEL = "gpt-4.1-mini";

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private ConfigLoader() {}

  public static LoupeConfig load(Path file, Map<String, String> env) throws IOException {
    LoupeConfig config = file == null ? fromEnvironment(env) : fromFile(file);
    return withTemporalOverrides(config, env);
  }

  static LoupeConfig fromFile(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("config file " + file + " does not exist");
    }
    try {
      return YAML.readValue(file.toFile(), LoupeConfig.class);
    } catch (UnrecognizedPropertyException unknown) {
      throw new IllegalArgumentException(
          file
              + ": unknown key '"
              + unknown.getPropertyName()
              + "' at "
              + unknown.getPathReference()
              + " (known: "
              + unknown.getKnownPropertyIds()
              + ")",
          unknown);
    } catch (com.fasterxml.jackson.core.JacksonException invalid) {
      Throwable cause =
          invalid.getCause() instanceof IllegalArgumentException ? invalid.getCause() : invalid;
      throw new IllegalArgumentException(file + " is invalid: " + cause.getMessage(), invalid);
    }
  }

  /**
   * The first of {@code OPENAI_API_KEY}/{@code OPENAI_BASE_URL}, {@code GEMINI_API_KEY}, {@code
   * ANTHROPIC_API_KEY} that is set picks the endpoint; {@code LOUPE_MODEL} the model.
   */
  static LoupeConfig fromEnvironment(Map<String, String> env) {
    LinkedHashMap<String, EndpointSettings> endpoints = new LinkedHashMap<>();
    String model = env.getOrDefault("LOUPE_MODEL", DEFAULT_MODEL);
    if (isSet(env, "OPENAI_API_KEY") || isSet(env, "OPENAI_BASE_URL")) {
      String baseUrl =
          isSet(env, "OPENAI_BASE_URL") ? env.get("OPENAI_BASE_URL") : DEFAULT_OPENAI_BASE_URL;
      String provider =
          baseUrl.startsWith(DEFAULT_OPENAI_BASE_URL)
              ? EndpointSettings.OPENAI
              : EndpointSettings.OPENAI_COMPATIBLE;
      endpoints.put(
          "openai",
          new EndpointSettings(
              provider,
              baseUrl,
              isSet(env, "OPENAI_API_KEY") ? "OPENAI_API_KEY" : null,
              model,
              null,
              null,
              null));
    } else if (isSet(env, "GEMINI_API_KEY") || isSet(env, "ANTHROPIC_API_KEY")) {
      throw new IllegalArgumentException(
          "GEMINI_API_KEY/ANTHROPIC_API_KEY are set, but this version of Loupe speaks only the"
              + " OpenAI API: set OPENAI_API_KEY, or OPENAI_BASE_URL for an OpenAI-compatible"
              + " server");
    }
    String s3Endpoint = env.getOrDefault("AWS_ENDPOINT_URL_S3", env.get("AWS_ENDPOINT_URL"));
    return new LoupeConfig(
        null,
        null,
        endpoints,
        new LoupeConfig.S3Config(s3Endpoint, env.get("AWS_REGION"), s3Endpoint != null),
        null,
        null);
  }

  private static LoupeConfig withTemporalOverrides(LoupeConfig config, Map<String, String> env) {
    LoupeConfig.TemporalSettings temporal = config.temporal();
    if (isSet(env, "TEMPORAL_ADDRESS") || isSet(env, "TEMPORAL_NAMESPACE")) {
      temporal =
          new LoupeConfig.TemporalSettings(
              env.getOrDefault("TEMPORAL_ADDRESS", temporal.address()),
              env.getOrDefault("TEMPORAL_NAMESPACE", temporal.namespace()),
              env.getOrDefault("LOUPE_TEMPORAL_UI_URL", temporal.uiUrl()));
    }
    return config.withTemporal(temporal);
  }

  /** Fails with a message saying what to set when no model endpoint is configured. */
  public static void requireEndpoints(LoupeConfig config) {
    if (config.endpoints().isEmpty()) {
      throw new IllegalArgumentException(
          "no model endpoint configured: set OPENAI_API_KEY (or OPENAI_BASE_URL for an"
              + " OpenAI-compatible server such as vLLM, SGLang or Ollama), or pass --config"
              + " with an 'endpoints:' section");
    }
  }

  private static boolean isSet(Map<String, String> env, String name) {
    String value = env.get(name);
    return value != null && !value.isBlank();
  }
}
