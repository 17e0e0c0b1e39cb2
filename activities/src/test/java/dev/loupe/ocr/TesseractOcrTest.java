package dev.loupe.ocr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Tesseract (installed by .ci/run) on text this test renders itself. */
class TesseractOcrTest {
  private final TesseractOcr ocr = TesseractOcr.onPath();

  @Test
  void readsEnglishTextItRendered() throws IOException {
    String text = ocr.read(render("TOTAL 23.40", "Thank you for shopping"), "eng+chi_sim");
    assertThat(text).contains("TOTAL 23.40").containsIgnoringCase("thank you");
  }

  @Test
  void readsSimplifiedChinese() throws IOException {
    String text = ocr.read(render("合计 金额", "欢迎光临"), "eng+chi_sim").replace(" ", "");
    assertThat(text).contains("合计").contains("欢迎光临");
  }

  @Test
  void imageWithoutTextGivesEmptyText() throws IOException {
    assertThat(ocr.read(render(), "eng")).isEmpty();
  }

  @Test
  void missingExecutableIsAClearError() {
    TesseractOcr missing = new TesseractOcr("/nonexistent/tesseract", Duration.ofSeconds(5));
    assertThatThrownBy(() -> missing.read(new byte[] {1}, "eng"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("install tesseract-ocr");
  }

  @Test
  void languagesAreValidatedBeforeRunning() {
    assertThatThrownBy(() -> ocr.read(new byte[] {1}, "eng; rm -rf /"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] render(String... lines) throws IOException {
    BufferedImage image = new BufferedImage(900, 300, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 900, 300);
    g.setColor(Color.BLACK);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 48));
    for (int i = 0; i < lines.length; i++) {
      g.drawString(lines[i], 40, 100 + i * 90);
    }
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
