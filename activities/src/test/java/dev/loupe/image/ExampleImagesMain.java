package dev.loupe.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the example images of the README's quick start into a directory: a bar chart, a receipt, a
 * document page and a photo-like scene, all drawn by {@link TestScenes}. Prints each file's name,
 * size and dimensions.
 *
 * <p>Usage: {@code ExampleImagesMain <directory>}
 */
public final class ExampleImagesMain {
  private ExampleImagesMain() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("Usage: ExampleImagesMain <directory>");
      System.exit(2);
    }
    Path directory = Files.createDirectories(Path.of(args[0]));
    Map<String, byte[]> images = new TreeMap<>();
    images.put("bar-chart.png", TestImages.png(TestScenes.barChart(1024, 768)));
    images.put("receipt.png", TestImages.png(TestScenes.receipt(576, 768)));
    images.put("report-page.png", TestImages.png(TestScenes.documentPage(816, 1056)));
    images.put("landscape.jpg", TestImages.jpeg(TestScenes.photoScene(1024, 768), 0.85f));
    for (Map.Entry<String, byte[]> image : images.entrySet()) {
      Files.write(directory.resolve(image.getKey()), image.getValue());
      var decoded = TestImages.decode(image.getValue());
      System.out.printf(
          "%-16s %7d bytes  %d×%d%n",
          image.getKey(), image.getValue().length, decoded.getWidth(), decoded.getHeight());
    }
  }
}
