package dev.loupe.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
                ImageIO.write(image(index), "png", dir.resolve(name(index)).toFile());
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
