package dev.loupe.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loupe.provider.ModelRequest.PreparedImage;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.ByteOrder;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImagePreparerTest {
  private static final Set<String> JPEG_AND_PNG = Set.of("image/jpeg", "image/png");
  private static final Set<String> EVERYTHING =
      Set.of("image/jpeg", "image/png", "image/webp", "image/gif");
  private static final long MAX_BYTES = 20L * 1024 * 1024;

  private final ImagePreparer preparer = new ImagePreparer(ImageLimits.DEFAULT_MAX_PIXELS);

  @Test
  void sendsAcceptedImageWithinLimitsByteForByte() throws BadImageException {
    byte[] photo = TestImages.photoJpeg();

    PreparedImage prepared = preparer.prepare(photo, limits(2048, JPEG_AND_PNG));

    assertThat(prepared.bytes()).isSameAs(photo);
    assertThat(prepared.mimeType()).isEqualTo("image/jpeg");
    assertThat(prepared.width()).isEqualTo(TestImages.WIDTH);
    assertThat(prepared.height()).isEqualTo(TestImages.HEIGHT);
  }

  @Test
  void sendsAcceptedWebpAsItIs() throws BadImageException {
    byte[] webp = TestImages.webp();

    PreparedImage prepared = preparer.prepare(webp, limits(2048, EVERYTHING));

    assertThat(prepared.bytes()).isSameAs(webp);
    assertThat(prepared.mimeType()).isEqualTo("image/webp");
  }

  @Test
  void shrinksToTheLongSideKeepingTheAspectRatio() throws BadImageException {
    PreparedImage prepared = preparer.prepare(TestImages.photoJpeg(), limits(300, JPEG_AND_PNG));

    assertDeclaredAsItIs(prepared);
    assertThat(prepared.width()).isEqualTo(300);
    assertThat(prepared.height()).isEqualTo(225);
  }

  @Test
  void shrinksPortraitImagesByTheirHeight() throws BadImageException {
    PreparedImage prepared = preparer.prepare(TestImages.receiptPng(), limits(512, JPEG_AND_PNG));

    assertDeclaredAsItIs(prepared);
    assertThat(prepared.height()).isEqualTo(512);
    assertThat(prepared.width()).isEqualTo(384);
  }

  @Test
  void shrinksLargeImagesInSeveralSteps() throws BadImageException {
    byte[] large = TestImages.jpeg(TestScenes.photoScene(3000, 2000), 0.9f);

    PreparedImage prepared = preparer.prepare(large, limits(512, JPEG_AND_PNG));

    assertDeclaredAsItIs(prepared);
    assertThat(prepared.width()).isEqualTo(512);
    assertThat(prepared.height()).isEqualTo(341);
  }

  @Test
  void appliesExifOrientationSwappingWidthAndHeight() throws BadImageException {
    BufferedImage stored = new BufferedImage(800, 600, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = stored.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 800, 600);
    g.setColor(Color.RED);
    g.fillRect(0, 0, 200, 200);
    g.dispose();
    byte[] jpeg =
        TestImages.withExifOrientation(TestImages.jpeg(stored, 0.9f), 6, ByteOrder.BIG_ENDIAN);

    PreparedImage prepared = preparer.prepare(jpeg, limits(2048, JPEG_AND_PNG));

    assertDeclaredAsItIs(prepared);
    assertThat(prepared.width()).isEqualTo(600);
    assertThat(prepared.height()).isEqualTo(800);
    BufferedImage upright = TestImages.decode(prepared.bytes());
    // Orientation 6 shows the stored top-left corner at the top right.
    assertThat(new Color(upright.getRGB(550, 50))).satisfies(ImagePreparerTest::isRed);
    assertThat(new Color(upright.getRGB(50, 50))).satisfies(ImagePreparerTest::isWhite);
    // The re-encoded file must not carry the tag, or the provider would turn it again.
    assertThat(JpegOrientationReader.read(prepared.bytes())).isEqualTo(ExifOrientation.NORMAL);
  }

  @Test
  void jpegWithUnreadableExifIsSentAsItIs() throws BadImageException {
    // A TIFF header whose IFD0 lies far past the end of the segment.
    byte[] exif = {'M', 'M', 0, 42, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
    byte[] jpeg = TestImages.withExif(TestImages.photoJpeg(), exif);

    PreparedImage prepared = preparer.prepare(jpeg, limits(2048, JPEG_AND_PNG));

    assertThat(prepared.bytes()).isSameAs(jpeg);
    assertThat(prepared.width()).isEqualTo(TestImages.WIDTH);
    assertThat(prepared.height()).isEqualTo(TestImages.HEIGHT);
  }

  @Test
  void convertsCmykToRgbJpeg() throws BadImageException {
    byte[] cmyk = TestImages.cmykJpeg();

    PreparedImage prepared = preparer.prepare(cmyk, limits(2048, JPEG_AND_PNG));

    assertDeclaredAsItIs(prepared);
    assertThat(prepared.mimeType()).isEqualTo("image/jpeg");
    assertThat(prepared.bytes()).isNotSameAs(cmyk);
    try (ImageDecoder decoder = ImageDecoder.open(prepared.bytes())) {
      assertThat(decoder.storesCmyk()).isFalse();
    }
    BufferedImage rgb = TestImages.decode(prepared.bytes());
    Color cyan = new Color(rgb.getRGB(100, 100));
    assertThat(cyan.getRed()).isLessThan(80);
    assertThat(cyan.getGreen()).isGreaterThan(150);
    assertThat(cyan.getBlue()).isGreaterThan(200);
    assertThat(new Color(rgb.getRGB(100, TestImages.HEIGHT - 100)))
        .satisfies(ImagePreparerTest::isWhite);
  }

  @Test
  void convertsWebpToJpegWhenTheProviderTakesNoWebp() throws BadImageException {
    PreparedImage prepared = preparer.prepare(TestImages.webp(), limits(2048, JPEG_AND_PNG));

    assertDeclaredAsItIs(prepared);
    assertThat(prepared.mimeType()).isEqualTo("image/jpeg");
    assertThat(prepared.width()).isEqualTo(TestImages.WEBP_WIDTH);
  }

  @Test
  void convertsFirstFrameOfGifWhenTheProviderTakesNoGif() throws BadImageException {
    PreparedImage prepared = preparer.prepare(TestImages.animatedGif(), limits(2048, JPEG_AND_PNG));

    assertDeclaredAsItIs(prepared);
    assertThat(prepared.mimeType()).isEqualTo("image/jpeg");
    assertThat(new Color(TestImages.decode(prepared.bytes()).getRGB(10, 10)))
        .satisfies(ImagePreparerTest::isRed);
  }

  @Test
  void converts16BitGreyToEightBitRgbKeepingItsTones() throws BadImageException {
    PreparedImage prepared = preparer.prepare(TestImages.gray16Png(), limits(384, JPEG_AND_PNG));

    assertDeclaredAsItIs(prepared);
    assertThat(prepared.mimeType()).isEqualTo("image/jpeg");
    BufferedImage rgb = TestImages.decode(prepared.bytes());
    Color middle = new Color(rgb.getRGB(rgb.getWidth() / 2, rgb.getHeight() / 2));
    // The ramp is linear in stored values: the middle stays mid-grey, not gamma-shifted.
    assertThat(middle.getRed()).isBetween(118, 138);
    assertThat(Math.abs(middle.getRed() - middle.getGreen())).isLessThanOrEqualTo(3);
    assertThat(Math.abs(middle.getRed() - middle.getBlue())).isLessThanOrEqualTo(3);
  }

  @Test
  void keepsTransparencyAsPngWhenThePngIsAccepted() throws BadImageException {
    PreparedImage prepared =
        preparer.prepare(TestImages.translucentPng(), limits(400, JPEG_AND_PNG));

    assertDeclaredAsItIs(prepared);
    assertThat(prepared.mimeType()).isEqualTo("image/png");
    BufferedImage image = TestImages.decode(prepared.bytes());
    assertThat(image.getRGB(2, 2) >>> 24).isZero();
    assertThat(image.getRGB(image.getWidth() / 2, image.getHeight() / 2) >>> 24).isEqualTo(0xFF);
  }

  @Test
  void composesTransparencyOverWhiteForJpegOnlyProviders() throws BadImageException {
    PreparedImage prepared =
        preparer.prepare(TestImages.translucentPng(), limits(2048, Set.of("image/jpeg")));

    assertDeclaredAsItIs(prepared);
    assertThat(prepared.mimeType()).isEqualTo("image/jpeg");
    assertThat(new Color(TestImages.decode(prepared.bytes()).getRGB(2, 2)))
        .satisfies(ImagePreparerTest::isWhite);
  }

  @Test
  void encodesPngForPngOnlyProviders() throws BadImageException {
    PreparedImage prepared =
        preparer.prepare(TestImages.photoJpeg(), limits(2048, Set.of("image/png")));

    assertDeclaredAsItIs(prepared);
    assertThat(prepared.mimeType()).isEqualTo("image/png");
  }

  @Test
  void lowersQualityAndThenSizeToFitTheByteLimit() throws BadImageException {
    byte[] noisy = TestImages.jpeg(TestScenes.photoScene(1600, 1200), 0.95f);
    long maxBytes = ProviderImageLimits.MIN_MAX_BYTES;

    PreparedImage prepared =
        preparer.prepare(noisy, new ProviderImageLimits(2048, maxBytes, JPEG_AND_PNG));

    assertDeclaredAsItIs(prepared);
    assertThat(noisy.length).isGreaterThan((int) maxBytes);
    assertThat(prepared.mimeType()).isEqualTo("image/jpeg");
    assertThat(prepared.bytes().length).isLessThanOrEqualTo((int) maxBytes);
    assertThat(prepared.width()).isLessThan(1600);
  }

  @Test
  void reencodesAcceptedFormatOverTheByteLimit() throws BadImageException {
    byte[] png = TestImages.photoPng();
    long maxBytes = png.length - 1L;

    PreparedImage prepared =
        preparer.prepare(png, new ProviderImageLimits(2048, maxBytes, JPEG_AND_PNG));

    assertDeclaredAsItIs(prepared);
    assertThat(prepared.mimeType()).isEqualTo("image/jpeg");
    assertThat(prepared.width()).isEqualTo(TestImages.WIDTH);
  }

  @Test
  void rejectsBadBytes() {
    assertThat(reasonFor(TestImages.textFile())).isEqualTo("not_an_image");
    assertThat(reasonFor(TestImages.empty())).isEqualTo("empty");
    assertThat(reasonFor(TestImages.truncatedJpeg())).isEqualTo("truncated");
    assertThat(reasonFor(TestImages.pixelBombPng())).isEqualTo("too_many_pixels");
  }

  private String reasonFor(byte[] bytes) {
    BadImageException e =
        catchThrowableOfType(
            BadImageException.class, () -> preparer.prepare(bytes, limits(256, JPEG_AND_PNG)));
    assertThat(e).isNotNull();
    return e.reason();
  }

  private static ProviderImageLimits limits(int maxLongSide, Set<String> mimeTypes) {
    return new ProviderImageLimits(maxLongSide, MAX_BYTES, mimeTypes);
  }

  /** The declared type and dimensions are those of the bytes, read independently. */
  private static void assertDeclaredAsItIs(PreparedImage prepared) {
    assertThat(MagicNumbers.mimeTypeOf(prepared.bytes())).isEqualTo(prepared.mimeType());
    BufferedImage decoded = TestImages.decode(prepared.bytes());
    assertThat(decoded.getWidth()).isEqualTo(prepared.width());
    assertThat(decoded.getHeight()).isEqualTo(prepared.height());
  }

  private static void isRed(Color color) {
    assertThat(color.getRed()).isGreaterThan(200);
    assertThat(color.getGreen()).isLessThan(60);
    assertThat(color.getBlue()).isLessThan(60);
  }

  private static void isWhite(Color color) {
    assertThat(color.getRed()).isGreaterThan(240);
    assertThat(color.getGreen()).isGreaterThan(240);
    assertThat(color.getBlue()).isGreaterThan(240);
  }
}
