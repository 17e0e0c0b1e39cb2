package dev.loupe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.provider.ProviderKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path work;

  @Test
  void openAiKeyMakesTheOpenAiEndpoint() throws IOException {
    EndpointSettings endpoint = onlyEndpoint(Map.of("OPENAI_API_KEY", "sk-x"), "openai");

    assertThat(endpoint.kind()).isEqualTo(ProviderKind.OPENAI);
    assertThat(endpoint.baseUrl()).isEqualTo("https://api.openai.com/v1");
    assertThat(endpoint.apiKeyEnv()).isEqualTo("OPENAI_API_KEY");
    assertThat(endpoint.model()).isEqualTo("gpt-4.1-mini");
  }

  @Test
  void openAiBaseUrlElsewhereIsAnOpenAiCompatibleServerWithAnOptionalKey() throws IOException {
    EndpointSettings endpoint =
        onlyEndpoint(
            Map.of("OPENAI_BASE_URL", "http://127.0.0.1:8000/v1", "LOUPE_MODEL", "qwen"), "openai");

    assertThat(endpoint.kind()).isEqualTo(ProviderKind.OPENAI_COMPATIBLE);
    assertThat(endpoint.baseUrl()).isEqualTo("http://127.0.0.1:8000/v1");
    assertThat(endpoint.apiKeyEnv()).isNull();
    assertThat(endpoint.model()).isEqualTo("qwen");
  }

  @Test
  void geminiKeyMakesTheGeminiEndpoint() throws IOException {
    EndpointSettings endpoint = onlyEndpoint(Map.of("GEMINI_API_KEY", "AIza-x"), "gemini");

    assertThat(endpoint.kind()).isEqualTo(ProviderKind.GEMINI);
    assertThat(endpoint.baseUrl()).isEqualTo("https://generativelanguage.googleapis.com/v1beta");
    assertThat(endpoint.apiKeyEnv()).isEqualTo("GEMINI_API_KEY");
    assertThat(endpoint.model()).isEqualTo("gemini-2.5-flash");
  }

  @Test
  void anthropicKeyMakesTheAnthropicEndpointWithItsBaseUrl() throws IOException {
    EndpointSettings endpoint =
        onlyEndpoint(
            Map.of(
                "ANTHROPIC_API_KEY", "sk-ant-x",
                "ANTHROPIC_BASE_URL", "http://127.0.0.1:4000",
                "LOUPE_MODEL", "claude-haiku-4-5"),
            "anthropic");

    assertThat(endpoint.kind()).isEqualTo(ProviderKind.ANTHROPIC);
    assertThat(endpoint.baseUrl()).isEqualTo("http://127.0.0.1:4000");
    assertThat(endpoint.apiKeyEnv()).isEqualTo("ANTHROPIC_API_KEY");
    assertThat(endpoint.model()).isEqualTo("claude-haiku-4-5");
  }

  @Test
  void firstProviderSetWinsInTheDocumentedOrder() throws IOException {
    Map<String, String> all =
        Map.of("OPENAI_API_KEY", "sk-x", "GEMINI_API_KEY", "g", "ANTHROPIC_API_KEY", "a");
    Map<String, String> twoLast = Map.of("GEMINI_API_KEY", "g", "ANTHROPIC_API_KEY", "a");

    assertThat(ConfigLoader.load(null, all).endpoints()).containsOnlyKeys("openai");
    assertThat(ConfigLoader.load(null, twoLast).endpoints()).containsOnlyKeys("gemini");
  }

  @Test
  void withoutAnyProviderItSaysWhatToSet() throws IOException {
    LoupeConfig config = ConfigLoader.load(null, Map.of("GEMINI_BASE_URL", "http://x"));

    assertThat(config.endpoints()).isEmpty();
    assertThatThrownBy(() -> ConfigLoader.requireEndpoints(config))
        .hasMessageContaining("OPENAI_API_KEY")
        .hasMessageContaining("GEMINI_API_KEY")
        .hasMessageContaining("ANTHROPIC_API_KEY");
  }

  @Test
  void fileGivesEveryProviderAndItsLimits() throws IOException {
    Path file =
        write(
            """
            endpoints:
              g:
                provider: gemini
                baseUrl: https://generativelanguage.googleapis.com/v1beta
                apiKeyEnv: GEMINI_API_KEY
                model: gemini-2.5-pro
                requestsPerMinute: 150
                tokensPerMinute: 2000000
              a:
                provider: anthropic
                baseUrl: https://api.anthropic.com
                apiKeyEnv: ANTHROPIC_API_KEY
                model: claude-sonnet-4-5
            """);

    LoupeConfig config = ConfigLoader.load(file, Map.of());

    EndpointSettings gemini = config.endpoints().get("g");
    assertThat(gemini.kind()).isEqualTo(ProviderKind.GEMINI);
    assertThat(gemini.requestsPerMinute()).isEqualTo(150);
    assertThat(gemini.tokensPerMinute()).isEqualTo(2_000_000);
    assertThat(gemini.tokensPerMinuteScope()).isEqualTo("fleet");
    assertThat(gemini.fleetTokenBudget()).isTrue();
    EndpointSettings anthropic = config.endpoints().get("a");
    assertThat(anthropic.kind()).isEqualTo(ProviderKind.ANTHROPIC);
    assertThat(anthropic.requestsPerMinute()).isNull();
    assertThat(anthropic.tokensPerMinute()).isNull();
    assertThat(anthropic.imageMaxLongSide()).as("the provider's default applies").isNull();
    assertThat(anthropic.maxConcurrency()).isEqualTo(32);
    assertThat(config.defaultEndpoint()).isEqualTo("g");
  }

  @Test
  void fileGivesTheCacheThePromptCacheAndTheFlexLane() throws IOException {
    Path file =
        write(
            """
            cache: s3://bucket/loupe-cache
            endpoints:
              o:
                provider: openai
                baseUrl: https://api.openai.com/v1
                apiKeyEnv: OPENAI_API_KEY
                model: gpt-4.1-mini
                flex: {timeoutSeconds: 600, onlineAfterSeconds: 3600}
              a:
                provider: anthropic
                baseUrl: https://api.anthropic.com
                apiKeyEnv: ANTHROPIC_API_KEY
                model: claude-sonnet-4-5
                promptCache: true
            """);

    LoupeConfig config = ConfigLoader.load(file, Map.of());

    assertThat(config.cacheRoot(Map.of()))
        .contains(java.net.URI.create("s3://bucket/loupe-cache/"));
    EndpointSettings openAi = config.endpoints().get("o");
    assertThat(openAi.flex().timeoutSeconds()).isEqualTo(600);
    assertThat(openAi.flex().onlineAfterSeconds()).isEqualTo(3600);
    assertThat(openAi.promptCache()).isFalse();
    EndpointSettings anthropic = config.endpoints().get("a");
    assertThat(anthropic.promptCache()).isTrue();
    assertThat(anthropic.flex().timeoutSeconds()).isEqualTo(900);
    assertThat(anthropic.flex().onlineAfterSeconds()).isNull();
  }

  @Test
  void theCacheDefaultsUnderTheUsersCacheDirectoryAndOffTurnsItOff() throws IOException {
    LoupeConfig config = ConfigLoader.load(null, Map.of("OPENAI_API_KEY", "sk-x"));

    assertThat(config.cacheRoot(Map.of("XDG_CACHE_HOME", "/xdg")))
        .contains(java.net.URI.create("file:///xdg/loupe/responses/"));
    assertThat(config.cacheRoot(Map.of("HOME", "/home/u")))
        .contains(java.net.URI.create("file:///home/u/.cache/loupe/responses/"));
    assertThat(config.withCache(LoupeConfig.NO_CACHE).cacheRoot(Map.of())).isEmpty();
  }

  @Test
  void unknownProviderIsNamedWithTheKnownOnes() throws IOException {
    Path file =
        write(
            """
            endpoints:
              x:
                provider: mistral
                baseUrl: https://api.mistral.ai/v1
                model: m
            """);

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .hasMessageContaining("'mistral'")
        .hasMessageContaining("'openai', 'openai-compatible', 'gemini', 'anthropic'");
  }

  @Test
  void unknownKeyIsAnError() throws IOException {
    Path file =
        write(
            """
            endpoints:
              x:
                provider: openai
                baseUrl: https://api.openai.com/v1
                model: m
                requestPerMinute: 60
            """);

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .hasMessageContaining("unknown key 'requestPerMinute'")
        .hasMessageContaining("requestsPerMinute");
  }

  @Test
  void tokensPerMinuteCanBeEachProcesssOwnOrNothingElse() throws IOException {
    String endpoint =
        """
        endpoints:
          x:
            provider: openai
            baseUrl: https://api.openai.com/v1
            model: m
            tokensPerMinute: 30000
            tokensPerMinuteScope: %s
        """;

    EndpointSettings own =
        ConfigLoader.load(write(endpoint.formatted("process")), Map.of()).endpoints().get("x");
    assertThat(own.fleetTokenBudget()).isFalse();
    assertThatThrownBy(() -> ConfigLoader.load(write(endpoint.formatted("cluster")), Map.of()))
        .hasMessageContaining("tokensPerMinuteScope must be fleet or process: cluster");
  }

  @Test
  void limitsMustBePositive() throws IOException {
    Path file =
        write(
            """
            endpoints:
              x:
                provider: openai
                baseUrl: https://api.openai.com/v1
                model: m
                tokensPerMinute: 0
            """);

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .hasMessageContaining("tokensPerMinute must be positive");
  }

  @Test
  void rootsDefaultToTheWorkingDirectoryAndComeFromTheFileOrTheEnvironment() throws IOException {
    String workingDirectory = Path.of("").toAbsolutePath().toString();
    LoupeConfig bare = ConfigLoader.load(null, Map.of());
    LoupeConfig fromEnvironment =
        ConfigLoader.load(
            null, Map.of("LOUPE_INPUT_ROOTS", "/data, s3://b/in/", "LOUPE_OUTPUT_ROOTS", "/out"));
    Path file =
        write(
            """
            inputRoots: [/srv/images]
            outputRoots: [s3://bucket/out/]
            limits:
              maxImageBytes: 1000
              maxManifestLineBytes: 4096
            """);
    LoupeConfig fromFile = ConfigLoader.load(file, Map.of());

    assertThat(bare.inputRootsOrDefault()).containsExactly(workingDirectory);
    assertThat(bare.outputRootsOrDefault()).containsExactly(workingDirectory);
    assertThat(fromEnvironment.inputRootsOrDefault()).containsExactly("/data", "s3://b/in/");
    assertThat(fromEnvironment.outputRootsOrDefault()).containsExactly("/out");
    assertThat(fromFile.inputRootsOrDefault()).containsExactly("/srv/images");
    assertThat(fromFile.limits().sourceLimits().maxImageBytes()).isEqualTo(1000);
    assertThat(fromFile.limits().sourceLimits().maxLineBytes()).isEqualTo(4096);
    assertThat(fromFile.limits().sourceLimits().maxAltTextChars()).isEqualTo(4000);
    assertThat(
            bare.withMoreRoots(java.util.List.of("/typed/src/"), java.util.List.of())
                .inputRootsOrDefault())
        .containsExactly(workingDirectory, "/typed/src/");
  }

  @Test
  void aLimitOutOfRangeOrAnUnknownLimitIsAnError() throws IOException {
    Path tooLong = write("limits:\n  maxManifestLineBytes: 10000000\n");
    assertThatThrownBy(() -> ConfigLoader.load(tooLong, Map.of()))
        .hasMessageContaining("maxManifestLineBytes must be within 256..262144");
    Path typo = write("limits:\n  maxImageByte: 10\n");
    assertThatThrownBy(() -> ConfigLoader.load(typo, Map.of()))
        .hasMessageContaining("unknown key 'maxImageByte'");
    Path rootTypo = write("inputRoot: [/x]\n");
    assertThatThrownBy(() -> ConfigLoader.load(rootTypo, Map.of()))
        .hasMessageContaining("unknown key 'inputRoot'");
  }

  private EndpointSettings onlyEndpoint(Map<String, String> env, String name) throws IOException {
    LoupeConfig config = ConfigLoader.load(null, env);
    assertThat(config.endpoints()).containsOnlyKeys(name);
    assertThat(config.defaultEndpoint()).isEqualTo(name);
    return config.endpoints().get(name);
  }

  private Path write(String yaml) throws IOException {
    return Files.writeString(work.resolve("loupe.yaml"), yaml);
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
    Path file = work.resolve("loupe.yaml");
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
  void temporalTlsComesFromTheFileAndTheTemporalCliVariablesOverrideIt() throws IOException {
    Path file =
        write(
            """
            temporal:
              address: file-host:7233
              namespace: loupe.a1b2c
              tlsCaFile: /file/ca.pem
              tlsServerName: file-name
              apiKeyEnv: LOUPE_TEMPORAL_KEY
            """);

    TemporalSettings fromFile = ConfigLoader.load(file, Map.of()).temporal();
    assertThat(fromFile.tlsCaFile()).isEqualTo("/file/ca.pem");
    assertThat(fromFile.apiKeyEnv()).isEqualTo("LOUPE_TEMPORAL_KEY");
    assertThat(fromFile.usesTls(false)).isTrue();

    TemporalSettings overridden =
        ConfigLoader.load(
                file,
                Map.of(
                    "TEMPORAL_TLS_CA", "/env/ca.pem",
                    "TEMPORAL_TLS_CERT", "/env/client.pem",
                    "TEMPORAL_TLS_KEY", "/env/client.key",
                    "TEMPORAL_TLS_SERVER_NAME", "env-name",
                    "TEMPORAL_NAMESPACE", "env-ns"))
            .temporal();
    assertThat(overridden.tlsCaFile()).isEqualTo("/env/ca.pem");
    assertThat(overridden.tlsCertFile()).isEqualTo("/env/client.pem");
    assertThat(overridden.tlsKeyFile()).isEqualTo("/env/client.key");
    assertThat(overridden.tlsServerName()).isEqualTo("env-name");
    assertThat(overridden.namespace()).isEqualTo("env-ns");
    assertThat(overridden.address()).isEqualTo("file-host:7233");
  }

  @Test
  void tlsIsOffByDefaultAndOnWithAnApiKeyUnlessSwitchedOff() throws IOException {
    TemporalSettings plain = ConfigLoader.load(null, Map.of()).temporal();
    assertThat(plain.usesTls(false)).isFalse();
    assertThat(plain.usesTls(true)).isTrue();
    assertThat(plain.apiKeyEnv()).isEqualTo("TEMPORAL_API_KEY");

    TemporalSettings off = ConfigLoader.load(null, Map.of("TEMPORAL_TLS", "false")).temporal();
    assertThat(off.usesTls(true)).isFalse();
    assertThat(ConfigLoader.load(null, Map.of("TEMPORAL_TLS", "true")).temporal().usesTls(false))
        .isTrue();
  }

  @Test
  void inconsistentTemporalTlsSettingsNameTheProblem() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("TEMPORAL_TLS_CERT", "/c.pem")))
        .hasMessageContaining("needs both tlsCertFile and tlsKeyFile")
        .hasMessageContaining("TEMPORAL_TLS_KEY");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    null, Map.of("TEMPORAL_TLS", "false", "TEMPORAL_TLS_CA", "/ca.pem")))
        .hasMessageContaining("tls is false");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("TEMPORAL_TLS", "yes")))
        .hasMessageContaining("TEMPORAL_TLS must be true or false");
  }

  @Test
  void invalidValuesNameTheProblem() throws IOException {
    Path file = work.resolve("bad.yaml");
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
    assertThatThrownBy(() -> ConfigLoader.load(work.resolve("absent.yaml"), Map.of()))
        .hasMessageContaining("absent.yaml does not exist");
  }
}
