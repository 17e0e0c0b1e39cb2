package dev.loupe.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.config.EndpointSettings;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.anthropic.FakeAnthropicServer;
import dev.loupe.provider.gemini.FakeGeminiServer;
import dev.loupe.provider.openai.FakeOpenAiServer;
import dev.loupe.stage.ModelEndpoint;
import java.time.Duration;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class ModelClientsTest {
  private static final ModelRequest.PreparedImage IMAGE =
      new ModelRequest.PreparedImage(new byte[] {1, 2, 3}, "image/jpeg", 640, 480);

  private final OkHttpClient http = new OkHttpClient();

  @Test
  void eachProviderReachesItsOwnWireFormatWithItsKey() throws Exception {
    Map<String, String> env =
        Map.of(
            "OPENAI_API_KEY", "sk-openai-000000",
            "GEMINI_API_KEY", "AIza-gemini-0000",
            "ANTHROPIC_API_KEY", "sk-ant-000000");
    try (FakeOpenAiServer openAi = FakeOpenAiServer.start(0, "sk-openai-000000");
        FakeOpenAiServer compatible = FakeOpenAiServer.start();
        FakeGeminiServer gemini = FakeGeminiServer.start("AIza-gemini-0000");
        FakeAnthropicServer anthropic = FakeAnthropicServer.start("sk-ant-000000")) {
      Map<String, ModelEndpoint> endpoints =
          new ModelClients(http, env)
              .build(
                  Map.of(
                      "o", settings("openai", openAi.baseUrl(), "OPENAI_API_KEY"),
                      "c", settings("openai-compatible", compatible.baseUrl(), null),
                      "g", settings("gemini", gemini.baseUrl(), "GEMINI_API_KEY"),
                      "a", settings("anthropic", anthropic.baseUrl(), "ANTHROPIC_API_KEY")));

      for (ModelEndpoint endpoint : endpoints.values()) {
        ModelResponse response =
            endpoint
                .client()
                .complete(new ModelRequest("some-model", null, "Describe.", IMAGE, null, 100));
        assertThat(response.text()).as(endpoint.name()).startsWith("[fake]");
      }
      assertThat(openAi.requestCount()).isEqualTo(1);
      assertThat(compatible.requests().getFirst().maxOutputTokens()).isEqualTo(100);
      assertThat(gemini.requestCount()).isEqualTo(1);
      assertThat(anthropic.requestCount()).isEqualTo(1);
      assertThat(endpoints.get("a").imageLimits().maxLongSide()).isEqualTo(1568);
      assertThat(endpoints.get("g").imageLimits().maxLongSide()).isEqualTo(2048);
    }
  }

  @Test
  void configuredLongSideReplacesTheProvidersDefault() {
    EndpointSettings settings =
        new EndpointSettings(
            "anthropic", "https://api.anthropic.com", null, "m", null, null, 1024, null, null);

    ModelEndpoint endpoint = new ModelClients(http, Map.of()).build("a", settings);

    assertThat(endpoint.imageLimits().maxLongSide()).isEqualTo(1024);
    assertThat(endpoint.imageLimits().accepts("image/gif")).isTrue();
  }

  @Test
  void missingKeyVariableIsNamed() {
    EndpointSettings settings =
        settings("gemini", "https://generativelanguage.googleapis.com/v1beta", "GEMINI_API_KEY");

    assertThatThrownBy(() -> new ModelClients(http, Map.of()).build("g", settings))
        .hasMessageContaining("endpoint 'g'")
        .hasMessageContaining("GEMINI_API_KEY, which is not set");
  }

  @Test
  void waitForLimitsLeavesTheCallItsTimeoutWithinTheActivity() {
    assertThat(ModelClients.maxWait(Duration.ofSeconds(120))).isEqualTo(Duration.ofSeconds(170));
    assertThat(ModelClients.maxWait(Duration.ofSeconds(280))).isEqualTo(Duration.ofSeconds(10));
    assertThat(ModelClients.maxWait(Duration.ofSeconds(295))).isEqualTo(Duration.ofSeconds(5));
  }

  private static EndpointSettings settings(String provider, String baseUrl, String keyEnv) {
    return new EndpointSettings(provider, baseUrl, keyEnv, "some-model", 10, 4, null);
  }
}
