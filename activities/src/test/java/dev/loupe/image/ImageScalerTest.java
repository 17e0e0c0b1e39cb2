package dev.loupe.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImageScalerTest {

  @Test
  void returnsImagesThatFitUntouched() {
    BufferedImage image = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);

    assertThat(ImageScaler.fitLongSide(image, 300)).isSameAs(image);
    assertThat(ImageScaler.fitLongSide(image, 4000)).isSameAs(image);
  }

  @Test
  void landsOnTheExactSizeKeepingTypeAndAspect() {
    BufferedImage image = new BufferedImage(3001, 1999, BufferedImage.TYPE_INT_ARGB);

    BufferedImage scaled = ImageScaler.fitLongSide(image, 1000);

    assertThat(scaled.getWidth()).isEqualTo(1000);
    assertThat(scaled.getHeight()).isEqualTo(666);
    assertThat(scaled.getType()).isEqualTo(BufferedImage.TYPE_INT_ARGB);
  }

  @Test
  void averagesFineDetailInsteadOfDroppingIt() {
    // One-pixel black and white stripes: a single nearest or bilinear step from 1024 to 128
    // samples a few columns and lands on all black or all white; averaging gives grey.
    BufferedImage stripes = new BufferedImage(1024, 1024, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 1024; x += 2) {
      for (int y = 0; y < 1024; y++) {
        stripes.setRGB(x, y, 0xFFFFFF);
      }
    }

    BufferedImage scaled = ImageScaler.fitLongSide(stripes, 128);

    int grey = scaled.getRGB(64, 64) & 0xFF;
    assertThat(grey).isBetween(100, 155);
  }

  @Test
  void neverShrinksASideBelowOnePixel() {
    BufferedImage sliver = new BufferedImage(5000, 2, BufferedImage.TYPE_INT_RGB);

    BufferedImage scaled = ImageScaler.fitLongSide(sliver, 100);

    assertThat(scaled.getWidth()).isEqualTo(100);
    assertThat(scaled.getHeight()).isEqualTo(1);
  }
}
