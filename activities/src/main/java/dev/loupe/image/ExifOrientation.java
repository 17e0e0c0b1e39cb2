package dev.loupe.image;

import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;

/**
 * The eight values of the EXIF Orientation tag (0x0112): how the stored pixels must be turned or
 * mirrored to show the picture upright. Cameras store the sensor's rows as they come and tag the
 * file, so a portrait photo is often stored landscape with orientation 6.
 */
enum ExifOrientation {
  NORMAL,
  MIRROR_HORIZONTAL,
  ROTATE_180,
  MIRROR_VERTICAL,
  TRANSPOSE,
  ROTATE_90_CLOCKWISE,
  TRANSVERSE,
  ROTATE_90_COUNTERCLOCKWISE;

  /** The orientation for a tag value 1 to 8; anything else is treated as upright. */
  static ExifOrientation fromTagValue(int value) {
    return value >= 1 && value <= 8 ? values()[value - 1] : NORMAL;
  }

  boolean swapsWidthAndHeight() {
    return switch (this) {
      case TRANSPOSE, ROTATE_90_CLOCKWISE, TRANSVERSE, ROTATE_90_COUNTERCLOCKWISE -> true;
      case NORMAL, MIRROR_HORIZONTAL, ROTATE_180, MIRROR_VERTICAL -> false;
    };
  }

  /**
   * Returns the image turned upright. The image must be of a standard type such as {@code
   * TYPE_INT_RGB}, which the result keeps; pixels move without interpolation.
   */
  BufferedImage apply(BufferedImage image) {
    if (this == NORMAL) {
      return image;
    }
    int width = image.getWidth();
    int height = image.getHeight();
    BufferedImage upright =
        swapsWidthAndHeight()
            ? new BufferedImage(height, width, image.getType())
            : new BufferedImage(width, height, image.getType());
    Graphics2D graphics = upright.createGraphics();
    try {
      graphics.drawImage(image, transform(width, height), null);
    } finally {
      graphics.dispose();
    }
    return upright;
  }

  /**
   * Maps stored coordinates to upright ones: x' = m00·x + m01·y + m02, y' = m10·x + m11·y + m12.
   */
  private AffineTransform transform(int width, int height) {
    return switch (this) {
      case NORMAL -> new AffineTransform();
      case MIRROR_HORIZONTAL -> new AffineTransform(-1, 0, 0, 1, width, 0);
      case ROTATE_180 -> new AffineTransform(-1, 0, 0, -1, width, height);
      case MIRROR_VERTICAL -> new AffineTransform(1, 0, 0, -1, 0, height);
      case TRANSPOSE -> new AffineTransform(0, 1, 1, 0, 0, 0);
      case ROTATE_90_CLOCKWISE -> new AffineTransform(0, 1, -1, 0, height, 0);
      case TRANSVERSE -> new AffineTransform(0, -1, -1, 0, height, width);
      case ROTATE_90_COUNTERCLOCKWISE -> new AffineTransform(0, -1, 1, 0, 0, width);
    };
  }
}
