package dev.loupe.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.provider.ModelRequest.PreparedImage;
import dev.loupe.provider.ProviderKind;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each provider's limits, and what {@link ImagePreparer} makes of real images under them. */
class ProviderImagePreparationTest {
  private final ImagePreparer preparer = new ImagePreparer(ImageLimits.DEFAULT_MAX_PIXELS);

  @Test
  void limitsFollowTheProvidersDocumentation() {
    ProviderImageLimits openAi = ProviderImageLimits.forProvider(ProviderKind.OPENAI);
    assertThat(openAi.maxLongSide()).isEqualTo(2048);
    assertThat(openAi.maxBytes()).isEqualTo(20L * 1024 * 1024);
    assertThat(openAi.acceptedMimeTypes())
        .containsExactlyInAnyOrder("image/jpeg", "image/png", "image/webp");

    ProviderImageLimits compatible =
        ProviderImageLimits.forProvider(ProviderKind.OPENAI_COMPATIBLE);
    assertThat(compatible.acceptedMimeTypes())
        .as("Ollama decodes only JPEG, PNG and WEBP data URLs")
        .containsExactlyInAnyOrder("image/jpeg", "image/png", "image/webp");

    ProviderImageLimits gemini = ProviderImageLimits.forProvider(ProviderKind.GEMINI);
    assertThat(gemini.maxBytes() * 4 / 3).as("base64 of one image").isLessThan(20_000_000L);
    assertThat(gemini.acceptedMimeTypes())
        .containsExactlyInAnyOrder("image/jpeg", "image/png", "image/webp");

    ProviderImageLimits anthropic = ProviderImageLimits.forProvider(ProviderKind.ANTHROPIC);
    assertThat(anthropic.maxLongSide()).isEqualTo(1568);
    assertThat(anthropic.maxBytes() * 4 / 3).isLessThanOrEqualTo(5L * 1024 * 1024);
    assertThat(anthropic.acceptedMimeTypes())
        .containsExactlyInAnyOrder("image/jpeg", "image/png", "image/gif", "image/webp");
  }

  @Test
  void longSideCanBeConfigured() {
    ProviderImageLimits limits =
        ProviderImageLimits.forProvider(ProviderKind.GEMINI).withMaxLongSide(1024);

    assertThat(limits.maxLongSide()).isEqualTo(1024);
    assertThat(limits.maxBytes())
        .isEqualTo(ProviderImageLimits.forProvider(ProviderKind.GEMINI).maxBytes());
  }

  @ParameterizedTest
  @EnumSource(ProviderKind.class)
  void largeRotatedPhotoArrivesUprightWithinTheLimits(ProviderKind kind) throws Exception {
    ProviderImageLimits limits = ProviderImageLimits.forProvider(kind);
    byte[] sideways =
        TestImages.withExifOrientation(
            TestImages.jpeg(TestScenes.photoScene(4000, 3000), 0.9f), 6, ByteOrder.BIG_ENDIAN);

    PreparedImage prepared = preparer.prepare(sideways, limits);

    assertThat(limits.accepts(prepared.mimeType())).isTrue();
    assertThat((long) prepared.bytes().length).isLessThanOrEqualTo(limits.maxBytes());
    assertThat(prepared.height())
        .as("orientation 6 turns it upright")
        .isEqualTo(limits.maxLongSide());
    assertThat(prepared.width()).isEqualTo(limits.maxLongSide() * 3 / 4);
    assertThat(JpegOrientationReader.read(prepared.bytes())).isEqualTo(ExifOrientation.NORMAL);
  }

  @Test
  void gifIsReencodedForOpenAiAndSentAsItIsToAnthropic() throws Exception {
    byte[] gif = TestImages.gif();

    PreparedImage forOpenAi =
        preparer.prepare(gif, ProviderImageLimits.forProvider(ProviderKind.OPENAI));
    PreparedImage forAnthropic =
        preparer.prepare(gif, ProviderImageLimits.forProvider(ProviderKind.ANTHROPIC));

    assertThat(forOpenAi.mimeType()).isIn("image/png", "image/jpeg");
    assertThat(forAnthropic.mimeType()).isEqualTo("image/gif");
    assertThat(forAnthropic.bytes()).isSameAs(gif);
  }
}
