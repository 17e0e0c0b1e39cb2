package dev.loupe.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContentHashTest {

  @Test
  void matchesPublishedSha256Vectors() {
    // FIPS 180-2 examples.
    assertThat(ContentHash.sha256Hex("abc".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(ContentHash.sha256Hex(new byte[0]))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void streamedHashEqualsHashOfTheBytes() throws IOException {
    // Larger than the read buffer, and not a multiple of it.
    byte[] bytes = new byte[200_003];
    new Random(1).nextBytes(bytes);

    String streamed = ContentHash.sha256Hex(new ByteArrayInputStream(bytes));

    assertThat(streamed).isEqualTo(ContentHash.sha256Hex(bytes)).hasSize(64);
  }

  @Test
  void differentContentHashesDifferently() {
    assertThat(ContentHash.sha256Hex(TestImages.photoJpeg()))
        .isNotEqualTo(ContentHash.sha256Hex(TestImages.barChartPng()));
  }
}
