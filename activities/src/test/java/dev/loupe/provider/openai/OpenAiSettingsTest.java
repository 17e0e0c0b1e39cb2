package dev.loupe.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.provider.Secret;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OpenAiSettingsTest {

  @Test
  void printingSettingsDoesNotLeakTheKey() {
    OpenAiSettings settings =
        OpenAiSettings.openAi("https://api.openai.com/v1", new Secret("sk-live-abcdef"));

    assertThat(settings.toString()).contains("apiKey=***").doesNotContain("abcdef");
  }

  @Test
  void defaultsToOpenAiDialectAndTwoMinuteCalls() {
    OpenAiSettings settings = OpenAiSettings.openAi("https://api.openai.com/v1", null);

    assertThat(settings.dialect()).isEqualTo(Dialect.OPENAI);
    assertThat(settings.callTimeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(settings.chatCompletionsUrl().toString())
        .isEqualTo("https://api.openai.com/v1/chat/completions");
  }

  @Test
  void baseUrlMayEndWithASlash() {
    assertThat(
            OpenAiSettings.compatible("http://localhost:8000/v1/", null)
                .chatCompletionsUrl()
                .toString())
        .isEqualTo("http://localhost:8000/v1/chat/completions");
  }

  @Test
  void baseUrlMustBeHttp() {
    assertThatThrownBy(() -> OpenAiSettings.openAi("localhost:8000/v1", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baseUrl");
  }

  @Test
  void callTimeoutMustBePositive() {
    assertThatThrownBy(
            () ->
                new OpenAiSettings(
                    "https://api.openai.com/v1", null, Dialect.OPENAI, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("callTimeout");
  }
}
