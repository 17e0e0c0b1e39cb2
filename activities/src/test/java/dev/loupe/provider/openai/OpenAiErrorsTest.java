package dev.loupe.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OpenAiErrorsTest {

  @Test
  void delayInRateLimitMessagesIsAGoDuration() {
    assertThat(OpenAiErrors.hintInMessage("Please try again in 644ms."))
        .contains(Duration.ofMillis(644));
    assertThat(OpenAiErrors.hintInMessage("Please try again in 2.5s. Visit ..."))
        .contains(Duration.ofMillis(2500));
    assertThat(OpenAiErrors.hintInMessage("Please try again in 1m30s."))
        .contains(Duration.ofSeconds(90));
    assertThat(OpenAiErrors.hintInMessage("Please try again later.")).isEmpty();
  }
}
