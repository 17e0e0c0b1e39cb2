package dev.loupe.image;

/**
 * Checks that bytes are a whole, usable image. The dimensions come from the header and are checked
 * against the limits before a single pixel is allocated, so a small file that declares billions of
 * pixels (a decompression bomb) costs nothing. Then the image is decoded in full, since only
 * decoding proves the file is intact.
 */
public final class ImageProbe {
  /**
   * Images larger than this are decoded with subsampling: every byte of the image data is still
   * read and checked, but the pixel buffer stays within about 16 MB.
   */
  static final long INTEGRITY_CHECK_PIXELS = 4_000_000L;

  /**
   * @throws BadImageException with reason {@code empty}, {@code not_an_image}, {@code
   *     unsupported_format}, {@code too_many_pixels}, {@code too_small}, {@code truncated} or
   *     {@code corrupt}
   */
  public ProbedImage probe(byte[] bytes, ImageLimits limits) throws BadImageException {
    try (ImageDecoder decoder = ImageDecoder.open(bytes)) {
      int width = decoder.width();
      int height = decoder.height();
      String format = decoder.format().formatName();
      if (width <= 0 || height <= 0) {
        throw new BadImageException(
            "corrupt", "Corrupt " + format + ": header declares " + width + "×" + height + ".");
      }
      long pixels = (long) width * height;
      if (pixels > limits.maxPixels()) {
        throw new BadImageException(
            "too_many_pixels",
            "Image is %d×%d = %,d pixels; the limit is %,d."
                .formatted(width, height, pixels, limits.maxPixels()));
      }
      if (Math.min(width, height) < limits.minShortSide()) {
        throw new BadImageException(
            "too_small",
            "Image is %d×%d; its short side must be at least %d pixels."
                .formatted(width, height, limits.minShortSide()));
      }
      decoder.decode(ImageDecoder.subsamplingWithin(pixels, INTEGRITY_CHECK_PIXELS));
      return new ProbedImage(width, height, format);
    }
  }
}
