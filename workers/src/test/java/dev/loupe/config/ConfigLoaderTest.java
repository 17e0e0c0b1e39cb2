package dev.loupe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void openAiKeyAloneGivesTheOpenAiEndpointWithDefaults() throws IOException {
    LoupeConfig config = ConfigLoader.load(null, Map.of("OPENAI_API_KEY", "sk-x"));
    EndpointSettings openai = config.endpoints().get("openai");
    assertThat(config.defaultEndpoint()).isEqualTo("openai");
    assertThat(openai.provider()).isEqualTo("openai");
    assertThat(openai.baseUrl()).isEqualTo("https://api.openai.com/v1");
    assertThat(openai.apiKeyEnv()).isEqualTo("OPENAI_API_KEY");
    assertThat(openai.model()).isEqualTo("gpt-4.1-mini");
    assertThat(openai.timeoutSeconds()).isEqualTo(120);
    assertThat(config.temporal().address()).isEqualTo("127.0.0.1:7233");
  }

  @Test
  void baseUrlAloneIsAKeylessCompatibleServer() throws IOException {
    LoupeConfig config =
        ConfigLoader.load(
            null, Map.of("OPENAI_BASE_URL", "http://127.0.0.1:8000/v1", "LOUPE_MODEL", "qwen"));
    EndpointSettings openai = config.endpoints().get("openai");
    assertThat(openai.provider()).isEqualTo("openai-compatible");
    assertThat(openai.apiKeyEnv()).isNull();
    assertThat(openai.model()).isEqualTo("qwen");
  }

  @Test
  void nothingSetMeansNoEndpointAndAClearMessage() throws IOException {
    LoupeConfig config = ConfigLoader.load(null, Map.of());
    assertThatThrownBy(() -> ConfigLoader.requireEndpoints(config))
        .hasMessageContaining("OPENAI_API_KEY")
        .hasMessageContaining("OPENAI_BASE_URL");
  }

  @Test
  void temporalAndS3ComeFromTheEnvironment() throws IOException {
    LoupeConfig config =
        ConfigLoader.load(
            null,
            Map.of(
                "TEMPORAL_ADDRESS", "temporal:7233",
                "TEMPORAL_NAMESPACE", "loupe",
                "AWS_ENDPOINT_URL_S3", "http://minio:9000"));
    assertThat(config.temporal().address()).isEqualTo("temporal:7233");
    assertThat(config.temporal().namespace()).isEqualTo("loupe");
    assertThat(config.s3().endpoint()).isEqualTo("http://minio:9000");
    assertThat(config.s3().pathStyle()).isTrue();
  }

  @Test
  void fileGivesEndpointsAndRetryAndEnvironmentOverridesTemporal() throws IOException {
    Path file = dir.resolve("loupe.yaml");
    Files.writeString(
        file,
        """
        temporal:
          address: file-host:7233
        endpoints:
          local:
            provider: openai-compatible
            baseUrl: http://127.0.0.1:8000/v1
            model: llava
            maxConcurrency: 4
        retry:
          apiMaximumAttempts: 3
        """);
    LoupeConfig config = ConfigLoader.load(file, Map.of("TEMPORAL_ADDRESS", "env-host:7233"));
    assertThat(config.defaultEndpoint()).isEqualTo("local");
    assertThat(config.endpoints().get("local").maxConcurrency()).isEqualTo(4);
    assertThat(config.retry().toApiRetry().maximumAttempts()).isEqualTo(3);
    assertThat(config.temporal().address()).isEqualTo("env-host:7233");
  }

  @Test
  void unknownKeyInTheFileIsRejectedByName() throws IOException {
    Path file = dir.resolve("typo.yaml");
    Files.writeString(
        file,
        "endpoints:\n  x:\n    provider: openai\n    baseUrl: http://a\n    model: m\n    modle: n\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown key 'modle'");
  }

  @Test
  void invalidValuesNameTheProblem() throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(
        file,
        "endpoints:\n  Bad_Name:\n    provider: openai\n    baseUrl: http://a\n    model: m\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .hasMessageContaining("endpoint names must be lower-case");
    Files.writeString(
        file, "endpoints:\n  x:\n    provider: openai\n    baseUrl: ftp://a\n    model: m\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).hasMessageContaining("http(s) URL");
  }

  @Test
  void missingFileIsNamed() {
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("absent.yaml"), Map.of()))
        .hasMessageContaining("absent.yaml does not exist");
  }
}
