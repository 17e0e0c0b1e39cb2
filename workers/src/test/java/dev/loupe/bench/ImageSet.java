package dev.loupe.bench;

import dev.loupe.image.TestImages;
import dev.loupe.image.TestScenes;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Distinct benchmark images: one drawn scene per kind (photo, chart, document), each copy carrying
 * its number in a strip of coloured pixels, so that every file has other bytes (another SHA-256)
 * while encoding stays cheap. Written once per directory and count, then reused.
 */
public final class ImageSet {
  public static final int WIDTH = 320;
  public static final int HEIGHT = 240;

  private ImageSet() {}

  /** {@code count} PNGs named {@code img-000000.png}… in {@code dir}; reused when complete. */
  public static Path write(Path dir, int count) throws IOException {
    Path marker = dir.resolve(".complete-" + count);
    if (Files.exists(marker)) {
      return dir;
    }
    Files.createDirectories(dir);
    try (Stream<Path> old = Files.list(dir)) {
      for (Path file : old.toList()) {
        Files.delete(file);
      }
    }
    BufferedImage[] scenes = {
      TestScenes.photoScene(WIDTH, HEIGHT),
      TestScenes.barChart(WIDTH, HEIGHT),
      TestScenes.documentPage(WIDTH, HEIGHT)
    };
    for (int i = 0; i < count; i++) {
      BufferedImage base = scenes[i % scenes.length];
      BufferedImage copy = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
      copy.setData(base.getData());
      for (int bit = 0; bit < 32; bit++) {
        int rgb = ((i >>> bit) & 1) == 1 ? 0xFF2020 : 0x2020FF;
        for (int x = bit * 4; x < bit * 4 + 4; x++) {
          copy.setRGB(x, HEIGHT - 1, rgb);
          copy.setRGB(x, HEIGHT - 2, rgb);
        }
      }
      Files.write(dir.resolve(String.format("img-%06d.png", i)), TestImages.png(copy));
    }
    Files.createFile(marker);
    return dir;
  }
}
