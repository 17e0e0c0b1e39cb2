package dev.loupe.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;

/**
 * Small distinct PNGs for benchmarks: 512×512 (ALLaVA's minimum short side), a flat background and
 * a bar code of the image's index, so each has its own hash and compresses to about a kilobyte.
 * Made once per directory and count, then reused.
 */
final class BenchImages {
  static final int SIDE = 512;

  private BenchImages() {}

  /** Makes {@code count} images in {@code dir} unless they are there already. */
  static Path ensure(Path dir, int count) throws IOException {
    return ensure(dir, count, BenchImages::image);
  }

  /**
   * Makes {@code count} images of 9×8 flat blocks of random colours in {@code dir} unless they are
   * there already: the blocks are the cells of Loupe's perceptual hash (dHash), so each image's
   * hash is random and no two are near duplicates, while encoding, decoding and OCR stay cheap.
   */
  static Path ensureBlocks(Path dir, int count) throws IOException {
    return ensure(dir, count, BenchImages::blocks);
  }

  private static Path ensure(Path dir, int count, IntFunction<BufferedImage> draw)
      throws IOException {
    Path done = dir.resolve(".complete-" + count);
    if (Files.exists(done)) {
      return dir;
    }
    Files.createDirectories(dir);
    IntStream.range(0, count)
        .parallel()
        .forEach(
            index -> {
              try {
                ImageIO.write(draw.apply(index), "png", dir.resolve(name(index)).toFile());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    Files.createFile(done);
    return dir;
  }

  static String name(int index) {
    return String.format("img-%07d.png", index);
  }

  private static BufferedImage blocks(int index) {
    BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(index);
    Graphics2D g = image.createGraphics();
    try {
      for (int row = 0; row < 8; row++) {
        for (int column = 0; column < 9; column++) {
          int x = column * SIDE / 9;
          int y = row * SIDE / 8;
          g.setColor(new Color(random.nextInt(0x1000000)));
          g.fillRect(x, y, (column + 1) * SIDE / 9 - x, (row + 1) * SIDE / 8 - y);
        }
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  private static BufferedImage image(int index) {
    BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setColor(Color.getHSBColor((index % 360) / 360f, 0.35f, 0.95f));
      g.fillRect(0, 0, SIDE, SIDE);
      g.setColor(Color.DARK_GRAY);
      for (int bit = 0; bit < 24; bit++) {
        if ((index >> bit & 1) == 1) {
          g.fillRect(16 + bit * 20, 200, 14, 112);
        }
      }
    } finally {
      g.dispose();
    }
    return image;
  }
}
