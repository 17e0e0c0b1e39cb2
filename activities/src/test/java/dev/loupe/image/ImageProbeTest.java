package dev.loupe.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ImageProbeTest {
  private static final ImageLimits LIMITS = new ImageLimits(512, ImageLimits.DEFAULT_MAX_PIXELS);
  private static final int W = TestImages.WIDTH;
  private static final int H = TestImages.HEIGHT;

  private final ImageProbe probe = new ImageProbe();

  static Stream<Arguments> goodImages() {
    return Stream.of(
        Arguments.of("photo jpeg", (Supplier<byte[]>) TestImages::photoJpeg, W, H, "jpeg"),
        Arguments.of("cmyk jpeg", (Supplier<byte[]>) TestImages::cmykJpeg, W, H, "jpeg"),
        Arguments.of("chart png", (Supplier<byte[]>) TestImages::barChartPng, W, H, "png"),
        Arguments.of("receipt png", (Supplier<byte[]>) TestImages::receiptPng, H, W, "png"),
        Arguments.of("grey png", (Supplier<byte[]>) TestImages::grayPng, W, H, "png"),
        Arguments.of("16-bit grey png", (Supplier<byte[]>) TestImages::gray16Png, W, H, "png"),
        Arguments.of("rgba png", (Supplier<byte[]>) TestImages::translucentPng, W, H, "png"),
        Arguments.of(
            "webp",
            (Supplier<byte[]>) TestImages::webp,
            TestImages.WEBP_WIDTH,
            TestImages.WEBP_HEIGHT,
            "webp"),
        Arguments.of("gif", (Supplier<byte[]>) TestImages::gif, W, H, "gif"),
        Arguments.of("animated gif", (Supplier<byte[]>) TestImages::animatedGif, W, H, "gif"),
        Arguments.of("bmp", (Supplier<byte[]>) TestImages::bmp, W, H, "bmp"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodImages")
  void readsDimensionsAndFormatOfWholeImages(
      String name, Supplier<byte[]> image, int width, int height, String format)
      throws BadImageException {
    assertThat(probe.probe(image.get(), LIMITS)).isEqualTo(new ProbedImage(width, height, format));
  }

  static Stream<Arguments> badImages() {
    return Stream.of(
        Arguments.of("zero bytes", (Supplier<byte[]>) TestImages::empty, "empty"),
        Arguments.of("text file", (Supplier<byte[]>) TestImages::textFile, "not_an_image"),
        Arguments.of("random bytes", (Supplier<byte[]>) TestImages::randomBytes, "not_an_image"),
        Arguments.of("tiff", (Supplier<byte[]>) TestImages::tiff, "unsupported_format"),
        Arguments.of("truncated jpeg", (Supplier<byte[]>) TestImages::truncatedJpeg, "truncated"),
        Arguments.of("truncated png", (Supplier<byte[]>) TestImages::truncatedPng, "truncated"),
        Arguments.of("truncated gif", (Supplier<byte[]>) TestImages::truncatedGif, "truncated"),
        Arguments.of("truncated bmp", (Supplier<byte[]>) TestImages::truncatedBmp, "truncated"),
        Arguments.of(
            "truncated webp", (Supplier<byte[]>) () -> firstPart(TestImages.webp()), "truncated"),
        Arguments.of(
            "jpeg cut in its header",
            (Supplier<byte[]>) () -> Arrays.copyOf(TestImages.photoJpeg(), 300),
            "truncated"),
        Arguments.of(
            "png signature only",
            (Supplier<byte[]>) () -> Arrays.copyOf(TestImages.barChartPng(), 8),
            "truncated"),
        Arguments.of(
            "png with damaged image data",
            (Supplier<byte[]>) ImageProbeTest::pngWithDamagedImageData,
            "corrupt"),
        Arguments.of("tiny png", (Supplier<byte[]>) TestImages::tinyPng, "too_small"),
        Arguments.of("pixel bomb", (Supplier<byte[]>) TestImages::pixelBombPng, "too_many_pixels"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badImages")
  void rejectsBadBytesWithReason(String name, Supplier<byte[]> image, String reason) {
    BadImageException e =
        catchThrowableOfType(BadImageException.class, () -> probe.probe(image.get(), LIMITS));

    assertThat(e).as(name).isNotNull();
    assertThat(e.reason()).isEqualTo(reason);
    assertThat(e.getMessage()).isNotBlank();
  }

  @Test
  void acceptsBytesAfterTheEndOfTheImage() throws BadImageException {
    // Some cameras and editors append data after the end marker; the image itself is whole.
    byte[] jpeg = TestImages.photoJpeg();
    byte[] png = TestImages.barChartPng();

    assertThat(probe.probe(Arrays.copyOf(jpeg, jpeg.length + 1000), LIMITS).format())
        .isEqualTo("jpeg");
    assertThat(probe.probe(Arrays.copyOf(png, png.length + 1000), LIMITS).format())
        .isEqualTo("png");
  }

  @Test
  void tooSmallNamesTheDimensionsAndTheLimit() {
    BadImageException e =
        catchThrowableOfType(
            BadImageException.class, () -> probe.probe(TestImages.tinyPng(), LIMITS));

    assertThat(e.getMessage()).contains("100×80").contains("512");
  }

  @Test
  void pixelBombIsRejectedFromTheHeaderAlone() {
    byte[] bomb = TestImages.pixelBombPng();

    BadImageException e =
        catchThrowableOfType(BadImageException.class, () -> probe.probe(bomb, LIMITS));

    // Decoding 40000×40000 RGB would need 4.8 GB; the test JVM would die, not reach this line.
    assertThat(bomb.length).isLessThan(100);
    assertThat(e.reason()).isEqualTo("too_many_pixels");
    assertThat(e.getMessage()).contains("40000×40000");
  }

  @Test
  void pixelLimitIsInclusive() throws BadImageException {
    long pixels = (long) W * H;
    byte[] photo = TestImages.photoJpeg();

    assertThat(probe.probe(photo, new ImageLimits(512, pixels)).width()).isEqualTo(W);
    BadImageException e =
        catchThrowableOfType(
            BadImageException.class, () -> probe.probe(photo, new ImageLimits(512, pixels - 1)));
    assertThat(e.reason()).isEqualTo("too_many_pixels");
  }

  @Test
  void shortSideLimitIsInclusive() throws BadImageException {
    byte[] photo = TestImages.photoJpeg();

    assertThat(probe.probe(photo, new ImageLimits(H, 1_000_000)).height()).isEqualTo(H);
    BadImageException e =
        catchThrowableOfType(
            BadImageException.class, () -> probe.probe(photo, new ImageLimits(H + 1, 1_000_000)));
    assertThat(e.reason()).isEqualTo("too_small");
  }

  @Test
  void checksLargeImagesInFullWhileDecodingThemSubsampled() throws BadImageException {
    // 3000×2000 is above the 4-megapixel integrity-check budget, so it is decoded subsampled.
    byte[] large = TestImages.png(TestScenes.photoScene(3000, 2000));

    assertThat(probe.probe(large, LIMITS)).isEqualTo(new ProbedImage(3000, 2000, "png"));
    BadImageException e =
        catchThrowableOfType(
            BadImageException.class,
            () -> probe.probe(Arrays.copyOf(large, large.length - 1000), LIMITS));
    assertThat(e.reason()).isEqualTo("truncated");
  }

  @Test
  void subsamplingKeepsDecodedPixelsWithinBudget() {
    assertThat(ImageDecoder.subsamplingWithin(4_000_000, 4_000_000)).isEqualTo(1);
    assertThat(ImageDecoder.subsamplingWithin(4_000_001, 4_000_000)).isEqualTo(2);
    assertThat(ImageDecoder.subsamplingWithin(100_000_000, 4_000_000)).isEqualTo(5);
    assertThat(ImageDecoder.subsamplingWithin(100, 4_000_000)).isEqualTo(1);
  }

  private static byte[] firstPart(byte[] bytes) {
    return Arrays.copyOf(bytes, bytes.length * 6 / 10);
  }

  /** Overwrites the middle of the compressed data, leaving the file's length and ending intact. */
  private static byte[] pngWithDamagedImageData() {
    BufferedImage photo = TestScenes.photoScene(W, H);
    byte[] png = TestImages.png(photo);
    for (int i = png.length / 2; i < png.length / 2 + 64; i++) {
      png[i] = (byte) 0xFF;
    }
    return png;
  }
}
