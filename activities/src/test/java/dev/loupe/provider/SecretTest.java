package dev.loupe.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretTest {

  @Test
  void printsRedacted() {
    Secret secret = new Secret("sk-live-abcdef");

    assertThat(secret.toString()).isEqualTo("***");
    assertThat(String.valueOf(secret)).doesNotContain("abcdef");
    assertThat(secret.value()).isEqualTo("sk-live-abcdef");
  }

  @Test
  void blankSecretIsRejected() {
    assertThatThrownBy(() -> new Secret(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
