package dev.loupe.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExifOrientationTest {
  private static final int WIDTH = 4;
  private static final int HEIGHT = 3;
  private static final int TOP_LEFT = 0xFF0000;
  private static final int TOP_RIGHT = 0x00FF00;

  /**
   * Where the stored top-left and top-right pixels end up in the upright picture, per the EXIF
   * specification's description of each value (for example 6: the stored top row is the visual
   * right-hand side).
   */
  @ParameterizedTest(name = "orientation {0}")
  @CsvSource({
    // value, upright width, upright height, top-left x, y, top-right x, y
    "1, 4, 3, 0, 0, 3, 0",
    "2, 4, 3, 3, 0, 0, 0",
    "3, 4, 3, 3, 2, 0, 2",
    "4, 4, 3, 0, 2, 3, 2",
    "5, 3, 4, 0, 0, 0, 3",
    "6, 3, 4, 2, 0, 2, 3",
    "7, 3, 4, 2, 3, 2, 0",
    "8, 3, 4, 0, 3, 0, 0",
  })
  void turnsStoredPixelsUpright(
      int value, int width, int height, int topLeftX, int topLeftY, int topRightX, int topRightY) {
    BufferedImage stored = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    stored.setRGB(0, 0, TOP_LEFT);
    stored.setRGB(WIDTH - 1, 0, TOP_RIGHT);
    ExifOrientation orientation = ExifOrientation.fromTagValue(value);

    BufferedImage upright = orientation.apply(stored);

    assertThat(upright.getWidth()).isEqualTo(width);
    assertThat(upright.getHeight()).isEqualTo(height);
    assertThat(orientation.swapsWidthAndHeight()).isEqualTo(width != WIDTH);
    assertThat(upright.getRGB(topLeftX, topLeftY) & 0xFFFFFF).isEqualTo(TOP_LEFT);
    assertThat(upright.getRGB(topRightX, topRightY) & 0xFFFFFF).isEqualTo(TOP_RIGHT);
  }
}
