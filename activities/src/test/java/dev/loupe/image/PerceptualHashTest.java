package dev.loupe.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerceptualHashTest {
  private static final int W = TestImages.WIDTH;
  private static final int H = TestImages.HEIGHT;

  @Test
  void reencodedAndResizedCopiesAreNearDuplicates() throws BadImageException {
    for (BufferedImage original :
        List.of(
            TestScenes.photoScene(W, H),
            TestScenes.barChart(W, H),
            TestScenes.receipt(H, W),
            TestScenes.documentPage(W, H))) {
      byte[] copy = TestImages.jpeg(resize(original, 0.9), 0.5f);

      int distance =
          PerceptualHash.of(original).distanceTo(PerceptualHash.of(copy, Long.MAX_VALUE));

      assertThat(distance).isLessThanOrEqualTo(6);
    }
  }

  @Test
  void differentPicturesAreFarApart() {
    List<PerceptualHash> hashes =
        List.of(
            PerceptualHash.of(TestScenes.photoScene(W, H)),
            PerceptualHash.of(TestScenes.barChart(W, H)),
            PerceptualHash.of(TestScenes.receipt(W, H)),
            PerceptualHash.of(TestScenes.documentPage(W, H)));

    for (int i = 0; i < hashes.size(); i++) {
      for (int j = i + 1; j < hashes.size(); j++) {
        assertThat(hashes.get(i).distanceTo(hashes.get(j))).as("%d vs %d", i, j).isGreaterThan(16);
      }
    }
  }

  @Test
  void distanceIsSymmetricAndZeroForItself() {
    PerceptualHash photo = PerceptualHash.of(TestScenes.photoScene(W, H));
    PerceptualHash chart = PerceptualHash.of(TestScenes.barChart(W, H));

    assertThat(photo.distanceTo(photo)).isZero();
    assertThat(photo.distanceTo(chart)).isEqualTo(chart.distanceTo(photo));
  }

  @Test
  void hashOfLargeImageBytesSurvivesSubsampledDecoding() throws BadImageException {
    BufferedImage large = TestScenes.photoScene(2400, 1800);

    PerceptualHash fromBytes = PerceptualHash.of(TestImages.png(large), Long.MAX_VALUE);

    assertThat(fromBytes.distanceTo(PerceptualHash.of(large))).isLessThanOrEqualTo(2);
  }

  @Test
  void hexRoundTrips() {
    PerceptualHash hash = PerceptualHash.of(TestScenes.photoScene(W, H));

    assertThat(hash.toHex()).hasSize(16);
    assertThat(PerceptualHash.fromHex(hash.toHex())).isEqualTo(hash);
    assertThat(new PerceptualHash(-1L).toHex()).isEqualTo("ffffffffffffffff");
  }

  @Test
  void rejectsPixelBombBeforeDecoding() {
    BadImageException e =
        catchThrowableOfType(
            BadImageException.class,
            () -> PerceptualHash.of(TestImages.pixelBombPng(), ImageLimits.DEFAULT_MAX_PIXELS));

    assertThat(e.reason()).isEqualTo("too_many_pixels");
  }

  private static BufferedImage resize(BufferedImage image, double scale) {
    int width = (int) (image.getWidth() * scale);
    int height = (int) (image.getHeight() * scale);
    BufferedImage resized = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = resized.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(image, 0, 0, width, height, null);
    g.dispose();
    return resized;
  }
}
