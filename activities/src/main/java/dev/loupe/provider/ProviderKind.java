package dev.loupe.provider;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The APIs Loupe speaks, with each one's usual environment variables, public base URL and the model
 * used when none is configured.
 */
public enum ProviderKind {
  /** OpenAI Chat Completions. */
  OPENAI(
      "openai", "OPENAI_API_KEY", "OPENAI_BASE_URL", "https://api.openai.com/v1", "gpt-4.1-mini"),
  /** vLLM, SGLang, Ollama and other servers that speak Chat Completions. */
  OPENAI_COMPATIBLE("openai-compatible", "OPENAI_API_KEY", "OPENAI_BASE_URL", null, "gpt-4.1-mini"),
  /** Google's Gemini API, {@code generateContent}. */
  GEMINI(
      "gemini",
      "GEMINI_API_KEY",
      "GEMINI_BASE_URL",
      "https://generativelanguage.googleapis.com/v1beta",
      "gemini-2.5-flash"),
  /** Anthropic Messages. */
  ANTHROPIC(
      "anthropic",
      "ANTHROPIC_API_KEY",
      "ANTHROPIC_BASE_URL",
      "https://api.anthropic.com",
      "claude-sonnet-4-5");

  private final String configName;
  private final String keyVariable;
  private final String baseUrlVariable;
  private final String publicBaseUrl;
  private final String defaultModel;

  ProviderKind(
      String configName,
      String keyVariable,
      String baseUrlVariable,
      String publicBaseUrl,
      String defaultModel) {
    this.configName = configName;
    this.keyVariable = keyVariable;
    this.baseUrlVariable = baseUrlVariable;
    this.publicBaseUrl = publicBaseUrl;
    this.defaultModel = defaultModel;
  }

  /** The name in configuration files, e.g. {@code openai-compatible}. */
  public String configName() {
    return configName;
  }

  /** The environment variable that usually holds the API key, e.g. {@code GEMINI_API_KEY}. */
  public String keyVariable() {
    return keyVariable;
  }

  /** The environment variable that overrides the base URL, e.g. {@code ANTHROPIC_BASE_URL}. */
  public String baseUrlVariable() {
    return baseUrlVariable;
  }

  /** The provider's own API root, or empty for self-hosted servers, which have none. */
  public Optional<String> publicBaseUrl() {
    return Optional.ofNullable(publicBaseUrl);
  }

  /** The model used when the configuration names none. */
  public String defaultModel() {
    return defaultModel;
  }

  /**
   * The kind a configuration name denotes.
   *
   * @throws IllegalArgumentException naming the known names
   */
  public static ProviderKind fromConfigName(String name) {
    for (ProviderKind kind : values()) {
      if (kind.configName.equals(name)) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        "endpoint provider must be one of "
            + Arrays.stream(values())
                .map(kind -> "'" + kind.configName + "'")
                .collect(Collectors.joining(", "))
            + ", got '"
            + name
            + "'");
  }
}
