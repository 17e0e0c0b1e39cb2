package dev.loupe.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;

/** Brings any decoded image (CMYK, 16-bit, grey, indexed) to 8-bit sRGB, with or without alpha. */
final class RgbConverter {
  private RgbConverter() {}

  /**
   * @param keepAlpha {@code TYPE_INT_ARGB} when true; otherwise {@code TYPE_INT_RGB}, with
   *     transparent areas composed over white, as viewers show them
   */
  static BufferedImage toRgb(BufferedImage image, boolean keepAlpha) {
    int type = keepAlpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
    if (image.getType() == type) {
      return image;
    }
    BufferedImage source = image;
    int colorSpace = image.getColorModel().getColorSpace().getType();
    if (colorSpace != ColorSpace.TYPE_RGB && colorSpace != ColorSpace.TYPE_GRAY) {
      // Drawing would convert pixel by pixel through the colour model; the colour management
      // module converts whole rasters, with the image's own profile where it has one.
      source =
          new ColorConvertOp(null)
              .filter(
                  image,
                  new BufferedImage(
                      image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB));
    }
    BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), type);
    Graphics2D graphics = rgb.createGraphics();
    try {
      if (!keepAlpha) {
        graphics.setColor(Color.WHITE);
        graphics.fillRect(0, 0, rgb.getWidth(), rgb.getHeight());
      }
      graphics.drawImage(source, 0, 0, null);
    } finally {
      graphics.dispose();
    }
    return rgb;
  }

  /** Whether any pixel is less than fully opaque. */
  static boolean hasTranslucentPixels(BufferedImage image) {
    if (!image.getColorModel().hasAlpha()) {
      return false;
    }
    int[] row = new int[image.getWidth()];
    for (int y = 0; y < image.getHeight(); y++) {
      image.getRGB(0, y, row.length, 1, row, 0, row.length);
      for (int argb : row) {
        if (argb >>> 24 != 0xFF) {
          return true;
        }
      }
    }
    return false;
  }
}
