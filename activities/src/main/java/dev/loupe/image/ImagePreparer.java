package dev.loupe.image;

import dev.loupe.provider.ModelRequest.PreparedImage;
import java.awt.image.BufferedImage;

/**
 * Turns an image into what a provider accepts: upright (EXIF orientation applied), within its size
 * limits, in a format it decodes, 8-bit sRGB. An image that already qualifies is sent as it is,
 * byte for byte, so its hash and quality are untouched.
 *
 * <p>Expects images that {@link ImageProbe} accepted; still rejects anything it cannot decode.
 */
public final class ImagePreparer {
  private static final String JPEG = ImageFormat.JPEG.mimeType();
  private static final String PNG = ImageFormat.PNG.mimeType();
  private static final float[] JPEG_QUALITIES = {0.9f, 0.8f, 0.7f, 0.6f, 0.5f};

  /** How much an image shrinks when even the lowest quality does not fit the byte limit. */
  private static final double SHRINK_FACTOR = 0.75;

  private final long maxPixels;
  private final DecodeBudget decodes;

  /**
   * @param maxPixels images with more pixels are rejected from the header before decoding, since
   *     preparing one decodes it whole
   * @param decodes the worker's budget for full-size decodes, shared by everything that decodes
   */
  public ImagePreparer(long maxPixels, DecodeBudget decodes) {
    if (maxPixels <= 0) {
      throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
    }
    this.maxPixels = maxPixels;
    this.decodes = decodes;
  }

  /** A preparer with a budget of half the heap of its own. */
  public ImagePreparer(long maxPixels) {
    this(maxPixels, DecodeBudget.halfOfHeap());
  }

  /**
   * @throws BadImageException for bytes that are not a whole image of a supported format, or that
   *     declare more than {@code maxPixels} pixels
   */
  public PreparedImage prepare(byte[] bytes, ProviderImageLimits limits) throws BadImageException {
    try (ImageDecoder decoder = ImageDecoder.open(bytes)) {
      ImageFormat format = decoder.format();
      int width = decoder.width();
      int height = decoder.height();
      long pixels = (long) width * height;
      if (pixels > maxPixels) {
        throw new BadImageException(
            "too_many_pixels",
            "Image is %d×%d = %,d pixels; the limit is %,d."
                .formatted(width, height, pixels, maxPixels));
      }
      boolean jpeg = format == ImageFormat.JPEG;
      ExifOrientation orientation =
          jpeg ? JpegOrientationReader.read(bytes) : ExifOrientation.NORMAL;
      if (limits.accepts(format.mimeType())
          && orientation == ExifOrientation.NORMAL
          && Math.max(width, height) <= limits.maxLongSide()
          && bytes.length <= limits.maxBytes()
          && !(jpeg && decoder.storesCmyk())) {
        return new PreparedImage(bytes, format.mimeType(), width, height);
      }
      DecodeBudget.Permit permit = decodes.acquire(pixels);
      try {
        BufferedImage decoded = decoder.decode(1);
        boolean keepAlpha = limits.accepts(PNG) && RgbConverter.hasTranslucentPixels(decoded);
        BufferedImage rgb = RgbConverter.toRgb(decoded, keepAlpha);
        // The long side is the same before and after turning, so shrink first: it is cheaper.
        BufferedImage upright =
            orientation.apply(ImageScaler.fitLongSide(rgb, limits.maxLongSide()));
        return encodeWithin(upright, keepAlpha || !limits.accepts(JPEG), limits.maxBytes());
      } finally {
        permit.close();
      }
    }
  }

  /**
   * Encodes at the best quality that fits the byte limit, shrinking the image when no quality does.
   * The re-encoded file carries no EXIF, so the orientation applied above cannot be applied twice
   * by the provider.
   */
  private static PreparedImage encodeWithin(BufferedImage image, boolean asPng, long maxBytes) {
    BufferedImage current = image;
    while (true) {
      if (asPng) {
        byte[] png = ImageEncoder.png(current);
        if (png.length <= maxBytes) {
          return new PreparedImage(png, PNG, current.getWidth(), current.getHeight());
        }
      } else {
        for (float quality : JPEG_QUALITIES) {
          byte[] jpeg = ImageEncoder.jpeg(current, quality);
          if (jpeg.length <= maxBytes) {
            return new PreparedImage(jpeg, JPEG, current.getWidth(), current.getHeight());
          }
        }
      }
      int longSide = Math.max(current.getWidth(), current.getHeight());
      if (longSide <= ProviderImageLimits.MIN_LONG_SIDE) {
        // ProviderImageLimits.MIN_MAX_BYTES holds any image this small in either format.
        throw new IllegalStateException(
            "A %d×%d image does not fit %d bytes"
                .formatted(current.getWidth(), current.getHeight(), maxBytes));
      }
      current = ImageScaler.fitLongSide(current, (int) (longSide * SHRINK_FACTOR));
    }
  }
}
