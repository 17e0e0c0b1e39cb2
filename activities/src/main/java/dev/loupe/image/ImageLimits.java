package dev.loupe.image;

/**
 * What probing accepts.
 *
 * @param minShortSide the smaller of width and height must be at least this (ALLaVA: 512)
 * @param maxPixels width × height must not exceed this; checked from the header before decoding
 */
public record ImageLimits(int minShortSide, long maxPixels) {
  public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

  public ImageLimits {
    if (minShortSide < 0) {
      throw new IllegalArgumentException("minShortSide must not be negative: " + minShortSide);
    }
    if (maxPixels <= 0) {
      throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
    }
  }
}
