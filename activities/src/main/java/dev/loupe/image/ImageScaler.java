package dev.loupe.image;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Shrinks images with good quality. One bilinear step from far above the target size skips most
 * source pixels and aliases fine detail such as text; halving repeatedly lets every step average
 * neighbouring pixels, and the last step lands on the exact size.
 */
final class ImageScaler {
  private ImageScaler() {}

  /**
   * Returns the image shrunk so that its long side is at most {@code maxLongSide}, keeping the
   * aspect ratio, or the image itself if it already fits. Never enlarges.
   *
   * @param image of a standard type such as {@code TYPE_INT_RGB}, which the result keeps
   */
  static BufferedImage fitLongSide(BufferedImage image, int maxLongSide) {
    int width = image.getWidth();
    int height = image.getHeight();
    int longSide = Math.max(width, height);
    if (longSide <= maxLongSide) {
      return image;
    }
    double scale = (double) maxLongSide / longSide;
    int targetWidth = Math.max(1, (int) Math.round(width * scale));
    int targetHeight = Math.max(1, (int) Math.round(height * scale));
    BufferedImage current = image;
    while (current.getWidth() != targetWidth || current.getHeight() != targetHeight) {
      int nextWidth = Math.max(targetWidth, current.getWidth() / 2);
      int nextHeight = Math.max(targetHeight, current.getHeight() / 2);
      current = resize(current, nextWidth, nextHeight);
    }
    return current;
  }

  private static BufferedImage resize(BufferedImage image, int width, int height) {
    BufferedImage resized = new BufferedImage(width, height, image.getType());
    Graphics2D graphics = resized.createGraphics();
    try {
      graphics.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      graphics.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      graphics.drawImage(image, 0, 0, width, height, null);
    } finally {
      graphics.dispose();
    }
    return resized;
  }
}
