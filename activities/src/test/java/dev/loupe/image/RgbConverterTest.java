package dev.loupe.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class RgbConverterTest {

  @Test
  void greyLevelsCarryOverUnchanged() {
    BufferedImage gray = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(1, 1, 0, 100);

    BufferedImage rgb = RgbConverter.toRgb(gray, false);

    assertThat(rgb.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
    assertThat(rgb.getRGB(1, 1) & 0xFFFFFF).isEqualTo(0x646464);
  }

  @Test
  void sixteenBitGreyKeepsItsHighByte() {
    BufferedImage gray = new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY);
    gray.getRaster().setSample(1, 1, 0, 0x8000);

    BufferedImage rgb = RgbConverter.toRgb(gray, false);

    int red = rgb.getRGB(1, 1) >> 16 & 0xFF;
    assertThat(red).isBetween(0x7F, 0x81);
  }

  @Test
  void dropsAlphaOverWhiteOrKeepsIt() {
    BufferedImage transparent = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);

    assertThat(RgbConverter.toRgb(transparent, false).getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFFFFFF);
    assertThat(RgbConverter.toRgb(transparent, true).getRGB(0, 0) >>> 24).isZero();
  }

  @Test
  void findsTranslucentPixelsOnlyWhereThereAreSome() {
    BufferedImage opaque = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        opaque.setRGB(x, y, 0xFF123456);
      }
    }

    assertThat(RgbConverter.hasTranslucentPixels(opaque)).isFalse();
    opaque.setRGB(3, 3, 0x80123456);
    assertThat(RgbConverter.hasTranslucentPixels(opaque)).isTrue();
    assertThat(
            RgbConverter.hasTranslucentPixels(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB)))
        .isFalse();
  }
}
