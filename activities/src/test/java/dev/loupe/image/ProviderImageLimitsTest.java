package dev.loupe.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProviderImageLimitsTest {
  private static final long MAX_BYTES = 5L * 1024 * 1024;

  @Test
  void rejectsLimitsNoImageCouldMeet() {
    assertThatThrownBy(() -> new ProviderImageLimits(63, MAX_BYTES, Set.of("image/jpeg")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxLongSide");
    assertThatThrownBy(() -> new ProviderImageLimits(2048, 1000, Set.of("image/jpeg")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBytes");
  }

  @Test
  void requiresAFormatLoupeCanEncode() {
    assertThatThrownBy(() -> new ProviderImageLimits(2048, MAX_BYTES, Set.of("image/webp")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("image/jpeg or image/png");
  }

  @Test
  void rejectsUpperCaseMimeTypes() {
    assertThatThrownBy(() -> new ProviderImageLimits(2048, MAX_BYTES, Set.of("image/JPEG")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lower-case");
  }

  @Test
  void keepsItsOwnCopyOfTheMimeTypes() {
    Set<String> mimeTypes = new HashSet<>(Set.of("image/jpeg"));
    ProviderImageLimits limits = new ProviderImageLimits(2048, MAX_BYTES, mimeTypes);

    mimeTypes.add("image/webp");

    assertThat(limits.accepts("image/webp")).isFalse();
    assertThat(limits.accepts("image/jpeg")).isTrue();
  }
}
