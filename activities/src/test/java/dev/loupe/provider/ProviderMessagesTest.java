package dev.loupe.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ProviderMessagesTest {

  @Test
  void keysQuotedInMessagesAreRedacted() {
    assertThat(
            ProviderMessages.redactKeys("Incorrect API key provided: sk-proj-abc123XYZ. You can"))
        .isEqualTo("Incorrect API key provided: sk-***. You can");
    assertThat(ProviderMessages.redactKeys("key sk-ant-api03-abcdefgh is invalid"))
        .isEqualTo("key sk-*** is invalid");
    assertThat(ProviderMessages.redactKeys("key=AIzaFakeTestKey0123")).isEqualTo("key=AIza***");
  }

  @Test
  void theConfiguredKeyIsRemovedWhateverItsShape() {
    assertThat(ProviderMessages.withoutSecret("echo: local-key-42.", new Secret("local-key-42")))
        .isEqualTo("echo: ***.");
    assertThat(ProviderMessages.withoutSecret("no key", null)).isEqualTo("no key");
  }

  @Test
  void excerptIsOneLineAndCut() {
    assertThat(ProviderMessages.excerpt("  a\n\tb  c ", 10)).isEqualTo("a b c");
    assertThat(ProviderMessages.excerpt("abcdefghij", 4)).isEqualTo("abcd…");
  }

  @Test
  void parseFailureNamesThePositionNotTheInput() {
    IOException failure = null;
    try {
      new ObjectMapper().readTree("{\"secret output\": tru");
    } catch (IOException e) {
      failure = e;
    }
    assertThat(ProviderMessages.where(failure))
        .isEqualTo("JsonParseException at line 1 column 19")
        .doesNotContain("secret output");
  }

  @Test
  void requestIdSuffixNamesTheHeader() {
    assertThat(ProviderMessages.requestIdSuffix("request-id", "req_1"))
        .isEqualTo(" [request-id req_1]");
    assertThat(ProviderMessages.requestIdSuffix("request-id", null)).isEmpty();
  }
}
