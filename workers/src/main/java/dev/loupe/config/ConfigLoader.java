package dev.loupe.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loupe.provider.ProviderKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads {@link LoupeConfig}: from a YAML file when one is given (unknown keys rejected), otherwise
 * from the providers' usual environment variables (and {@code LOUPE_INPUT_ROOTS}, {@code
 * LOUPE_OUTPUT_ROOTS}: comma-separated roots). {@code TEMPORAL_ADDRESS} and {@code
 * TEMPORAL_NAMESPACE} override the file.
 */
public final class ConfigLoader {

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
   * ANTHROPIC_API_KEY} that is set picks the one endpoint, named after its provider ({@code
   * openai}, {@code gemini}, {@code anthropic}), with the provider's {@code *_BASE_URL} when set;
   * {@code LOUPE_MODEL} picks the model, else the provider's default. An {@code OPENAI_BASE_URL}
   * other than OpenAI's own is an OpenAI-compatible server, whose key is optional.
   */
  static LoupeConfig fromEnvironment(Map<String, String> env) {
    LinkedHashMap<String, EndpointSettings> endpoints = new LinkedHashMap<>();
    if (isSet(env, "OPENAI_API_KEY") || isSet(env, "OPENAI_BASE_URL")) {
      String openAi = ProviderKind.OPENAI.publicBaseUrl().orElseThrow();
      String baseUrl = isSet(env, "OPENAI_BASE_URL") ? env.get("OPENAI_BASE_URL") : openAi;
      ProviderKind kind =
          baseUrl.startsWith(openAi) ? ProviderKind.OPENAI : ProviderKind.OPENAI_COMPATIBLE;
      endpoints.put("openai", fromEnvironment(kind, baseUrl, env));
    } else {
      for (ProviderKind kind : List.of(ProviderKind.GEMINI, ProviderKind.ANTHROPIC)) {
        if (isSet(env, kind.keyVariable())) {
          String baseUrl =
              isSet(env, kind.baseUrlVariable())
                  ? env.get(kind.baseUrlVariable())
                  : kind.publicBaseUrl().orElseThrow();
          endpoints.put(kind.configName(), fromEnvironment(kind, baseUrl, env));
          break;
        }
      }
    }
    String s3Endpoint = env.getOrDefault("AWS_ENDPOINT_URL_S3", env.get("AWS_ENDPOINT_URL"));
    return new LoupeConfig(
        null,
        null,
        endpoints,
        new LoupeConfig.S3Config(s3Endpoint, env.get("AWS_REGION"), s3Endpoint != null),
        null,
        null,
        null,
        null,
        rootsOf(env, "LOUPE_INPUT_ROOTS"),
        rootsOf(env, "LOUPE_OUTPUT_ROOTS"),
        null);
  }

  /** A comma-separated list of roots, or null (the working directory) when unset. */
  private static List<String> rootsOf(Map<String, String> env, String variable) {
    if (!isSet(env, variable)) {
      return null;
    }
    return Arrays.stream(env.get(variable).split(","))
        .map(String::strip)
        .filter(root -> !root.isEmpty())
        .toList();
  }

  private static EndpointSettings fromEnvironment(
      ProviderKind kind, String baseUrl, Map<String, String> env) {
    return new EndpointSettings(
        kind.configName(),
        baseUrl,
        isSet(env, kind.keyVariable()) ? kind.keyVariable() : null,
        isSet(env, "LOUPE_MODEL") ? env.get("LOUPE_MODEL") : kind.defaultModel(),
        null,
        null,
        null);
  }

  /**
   * The Temporal CLI's environment variables over the file: {@code TEMPORAL_ADDRESS}, {@code
   * TEMPORAL_NAMESPACE}, {@code TEMPORAL_TLS} ({@code true}/{@code false}), {@code
   * TEMPORAL_TLS_CA}, {@code TEMPORAL_TLS_CERT}, {@code TEMPORAL_TLS_KEY}, {@code
   * TEMPORAL_TLS_SERVER_NAME}; and {@code LOUPE_TEMPORAL_UI_URL}.
   */
  private static LoupeConfig withTemporalOverrides(LoupeConfig config, Map<String, String> env) {
    TemporalSettings file = config.temporal();
    String tls = env.get("TEMPORAL_TLS");
    if (tls != null && !tls.isBlank() && !tls.matches("(?i)true|false")) {
      throw new IllegalArgumentException("TEMPORAL_TLS must be true or false: '" + tls + "'");
    }
    TemporalSettings temporal =
        new TemporalSettings(
            orElse(env, "TEMPORAL_ADDRESS", file.address()),
            orElse(env, "TEMPORAL_NAMESPACE", file.namespace()),
            orElse(env, "LOUPE_TEMPORAL_UI_URL", file.uiUrl()),
            isSet(env, "TEMPORAL_TLS") ? Boolean.valueOf(tls.strip()) : file.tls(),
            orElse(env, "TEMPORAL_TLS_CA", file.tlsCaFile()),
            orElse(env, "TEMPORAL_TLS_CERT", file.tlsCertFile()),
            orElse(env, "TEMPORAL_TLS_KEY", file.tlsKeyFile()),
            orElse(env, "TEMPORAL_TLS_SERVER_NAME", file.tlsServerName()),
            file.apiKeyEnv());
    return config.withTemporal(temporal);
  }

  private static String orElse(Map<String, String> env, String name, String fallback) {
    return isSet(env, name) ? env.get(name) : fallback;
  }

  /** Fails with a message saying what to set when no model endpoint is configured. */
  public static void requireEndpoints(LoupeConfig config) {
    if (config.endpoints().isEmpty()) {
      throw new IllegalArgumentException(
          "no model endpoint configured: set OPENAI_API_KEY (or OPENAI_BASE_URL for an"
              + " OpenAI-compatible server such as vLLM, SGLang or Ollama), GEMINI_API_KEY or"
              + " ANTHROPIC_API_KEY, or pass --config with an 'endpoints:' section");
    }
  }

  private static boolean isSet(Map<String, String> env, String name) {
    String value = env.get(name);
    return value != null && !value.isBlank();
  }
}
