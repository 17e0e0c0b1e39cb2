package dev.loupe.image;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;

/**
 * Pictures of the kinds Loupe is given (charts, receipts, documents, photos), drawn with Java2D so
 * tests and examples need no image files. Each scene scales to the size asked for and is the same
 * on every run.
 */
public final class TestScenes {
  private TestScenes() {}

  /** A bar chart of quarterly revenue with a title, axis, grid and value labels. */
  public static BufferedImage barChart(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(image, Color.WHITE);
    double unit = height / 576.0;
    g.setColor(new Color(0x22, 0x22, 0x22));
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, (int) (26 * unit)));
    g.drawString("Quarterly revenue 2024 (EUR thousands)", (int) (40 * unit), (int) (50 * unit));

    int left = (int) (90 * unit);
    int right = width - (int) (40 * unit);
    int top = (int) (90 * unit);
    int bottom = height - (int) (80 * unit);
    int maxValue = 500;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, (int) (16 * unit)));
    for (int value = 0; value <= maxValue; value += 100) {
      int y = bottom - (bottom - top) * value / maxValue;
      g.setColor(new Color(0xDD, 0xDD, 0xDD));
      g.drawLine(left, y, right, y);
      g.setColor(new Color(0x55, 0x55, 0x55));
      g.drawString(Integer.toString(value), left - (int) (50 * unit), y + (int) (6 * unit));
    }
    List<String> quarters = List.of("Q1", "Q2", "Q3", "Q4");
    int[] values = {182, 247, 315, 431};
    Color[] colors = {
      new Color(0x4C, 0x72, 0xB0), new Color(0x55, 0xA8, 0x68),
      new Color(0xC4, 0x4E, 0x52), new Color(0x81, 0x72, 0xB2)
    };
    int slot = (right - left) / quarters.size();
    for (int i = 0; i < quarters.size(); i++) {
      int barLeft = left + i * slot + slot / 5;
      int barWidth = slot * 3 / 5;
      int barTop = bottom - (bottom - top) * values[i] / maxValue;
      g.setColor(colors[i]);
      g.fillRect(barLeft, barTop, barWidth, bottom - barTop);
      g.setColor(new Color(0x22, 0x22, 0x22));
      g.drawString(Integer.toString(values[i]), barLeft + barWidth / 3, barTop - (int) (8 * unit));
      g.drawString(quarters.get(i), barLeft + barWidth / 3, bottom + (int) (28 * unit));
    }
    g.setStroke(new BasicStroke((float) (2 * unit)));
    g.drawLine(left, top - (int) (10 * unit), left, bottom);
    g.drawLine(left, bottom, right, bottom);
    g.dispose();
    return image;
  }

  /** A shop receipt on off-white paper: header, items with prices, total, payment line. */
  public static BufferedImage receipt(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(image, new Color(0x9A, 0x8F, 0x80));
    int margin = width / 10;
    double unit = width / 576.0;
    int paperTop = height / 40;
    g.setColor(new Color(0xFB, 0xF9, 0xF2));
    g.fillRect(
        margin, paperTop, width - 2 * margin, Math.min(height - 2 * paperTop, (int) (600 * unit)));
    int lineHeight = (int) (30 * unit);
    int x = margin + (int) (24 * unit);
    int priceX = width - margin - (int) (110 * unit);
    int y = paperTop + (int) (56 * unit);
    g.setColor(new Color(0x1E, 0x1E, 0x1E));
    g.setFont(new Font(Font.MONOSPACED, Font.BOLD, (int) (24 * unit)));
    g.drawString("CORNER GROCERY", x + (int) (60 * unit), y);
    g.setFont(new Font(Font.MONOSPACED, Font.PLAIN, (int) (18 * unit)));
    y += lineHeight;
    g.drawString("12 Harbour Street", x + (int) (70 * unit), y);
    y += lineHeight;
    g.drawString("2024-03-14 18:42   Till 3", x + (int) (20 * unit), y);
    y += lineHeight;
    g.drawString("-".repeat(30), x, y);
    String[][] items = {
      {"Apples 1.2 kg", "3.48"},
      {"Whole milk 1 l", "1.19"},
      {"Sourdough bread", "4.20"},
      {"Coffee beans", "8.95"},
      {"Eggs (10)", "3.10"},
      {"Olive oil 0.5 l", "6.75"},
      {"Tomatoes", "2.35"},
    };
    for (String[] item : items) {
      y += lineHeight;
      g.drawString(item[0], x, y);
      g.drawString(item[1], priceX, y);
    }
    y += lineHeight;
    g.drawString("-".repeat(30), x, y);
    y += lineHeight;
    g.setFont(new Font(Font.MONOSPACED, Font.BOLD, (int) (20 * unit)));
    g.drawString("TOTAL", x, y);
    g.drawString("30.02", priceX, y);
    g.setFont(new Font(Font.MONOSPACED, Font.PLAIN, (int) (18 * unit)));
    y += lineHeight;
    g.drawString("VISA **** 4821", x, y);
    g.drawString("30.02", priceX, y);
    y += 2 * lineHeight;
    g.drawString("Thank you for shopping!", x + (int) (40 * unit), y);
    g.dispose();
    return image;
  }

  /** A document page: a heading, paragraphs, a bullet list and a small table. */
  public static BufferedImage documentPage(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(image, Color.WHITE);
    double unit = width / 612.0;
    int x = (int) (56 * unit);
    int y = (int) (80 * unit);
    g.setColor(new Color(0x1A, 0x3A, 0x6B));
    g.setFont(new Font(Font.SERIF, Font.BOLD, (int) (26 * unit)));
    g.drawString("Field Report: Spring Survey", x, y);
    g.setColor(new Color(0x22, 0x22, 0x22));
    g.setFont(new Font(Font.SERIF, Font.PLAIN, (int) (15 * unit)));
    int lineHeight = (int) (22 * unit);
    String[] paragraph = {
      "The survey covered eleven sites along the northern river",
      "between March and May. Water levels were higher than in",
      "the previous year, and two sites could not be reached.",
      "",
      "Key findings:",
    };
    y += (int) (20 * unit);
    for (String line : paragraph) {
      y += lineHeight;
      g.drawString(line, x, y);
    }
    String[] bullets = {
      "Bird counts rose by 14% at the wetland sites.",
      "Two new otter holts were recorded near site 7.",
      "Invasive balsam spread to three more banks.",
    };
    for (String bullet : bullets) {
      y += lineHeight;
      g.fillOval(x + (int) (8 * unit), y - (int) (9 * unit), (int) (6 * unit), (int) (6 * unit));
      g.drawString(bullet, x + (int) (24 * unit), y);
    }
    y += 2 * lineHeight;
    String[][] table = {{"Site", "Birds", "Otters"}, {"3", "112", "0"}, {"7", "86", "2"}};
    int column = (int) (150 * unit);
    for (String[] row : table) {
      g.setColor(new Color(0xEE, 0xF2, 0xF8));
      g.fillRect(x, y - (int) (17 * unit), column * row.length, lineHeight);
      g.setColor(new Color(0x22, 0x22, 0x22));
      g.drawRect(x, y - (int) (17 * unit), column * row.length, lineHeight);
      for (int c = 0; c < row.length; c++) {
        g.drawString(row[c], x + c * column + (int) (8 * unit), y);
      }
      y += lineHeight;
    }
    g.setColor(new Color(0x1A, 0x3A, 0x6B));
    g.setFont(new Font(Font.SERIF, Font.BOLD, (int) (19 * unit)));
    y += lineHeight;
    g.drawString("Next steps", x, y);
    g.setColor(new Color(0x22, 0x22, 0x22));
    g.setFont(new Font(Font.SERIF, Font.PLAIN, (int) (15 * unit)));
    String[] nextSteps = {
      "Repeat the counts at sites 2 and 9 once the water falls.",
      "Clear balsam at the three new banks before it seeds in",
      "August, and fit a camera trap at the otter holts.",
    };
    y += (int) (6 * unit);
    for (String line : nextSteps) {
      y += lineHeight;
      g.drawString(line, x, y);
    }
    g.setFont(new Font(Font.SERIF, Font.ITALIC, (int) (12 * unit)));
    g.drawString("Page 1 of 3", width / 2 - (int) (30 * unit), height - (int) (40 * unit));
    g.dispose();
    return image;
  }

  /**
   * An outdoor scene with a sky gradient, sun, hills, a house and a tree, and a little sensor-like
   * noise so that it compresses like a photograph rather than a drawing.
   */
  public static BufferedImage photoScene(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(image, Color.WHITE);
    int horizon = height * 3 / 5;
    g.setPaint(
        new GradientPaint(
            0, 0, new Color(0x2B, 0x6C, 0xC4), 0, horizon, new Color(0xBF, 0xE0, 0xF5)));
    g.fillRect(0, 0, width, horizon);
    g.setPaint(
        new GradientPaint(
            0, horizon, new Color(0x5D, 0x9B, 0x3A), 0, height, new Color(0x2F, 0x5E, 0x1F)));
    g.fillRect(0, horizon, width, height - horizon);
    g.setColor(new Color(0xFF, 0xE0, 0x7A));
    g.fillOval(width * 3 / 4, height / 10, width / 9, width / 9);
    g.setColor(new Color(0x6B, 0x7F, 0x8E));
    g.fillPolygon(
        new Polygon(
            new int[] {0, width / 5, width * 2 / 5, width * 3 / 5, width * 4 / 5, width, width, 0},
            new int[] {
              horizon,
              horizon / 2,
              horizon * 3 / 4,
              horizon * 2 / 5,
              horizon * 3 / 4,
              horizon / 2,
              horizon,
              horizon
            },
            8));
    int houseX = width / 6;
    int houseY = horizon + height / 20;
    int houseWidth = width / 5;
    int houseHeight = height / 6;
    g.setColor(new Color(0xE8, 0xD8, 0xC0));
    g.fillRect(houseX, houseY, houseWidth, houseHeight);
    g.setColor(new Color(0x9E, 0x3B, 0x2C));
    g.fillPolygon(
        new int[] {houseX - width / 60, houseX + houseWidth / 2, houseX + houseWidth + width / 60},
        new int[] {houseY, houseY - houseHeight / 2, houseY},
        3);
    g.setColor(new Color(0x5A, 0x3A, 0x22));
    g.fillRect(
        houseX + houseWidth * 2 / 5, houseY + houseHeight / 2, houseWidth / 5, houseHeight / 2);
    g.setColor(new Color(0x6E, 0x4B, 0x2A));
    g.fillRect(width * 3 / 5, horizon - height / 20, width / 40, height / 5);
    g.setColor(new Color(0x2E, 0x6B, 0x2E));
    g.fillOval(width * 3 / 5 - width / 16, horizon - height / 5, width / 7, height / 6);
    g.dispose();
    addNoise(image, 6, new Random(7));
    return image;
  }

  private static Graphics2D canvas(BufferedImage image, Color background) {
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(background);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    return g;
  }

  private static void addNoise(BufferedImage image, int amplitude, Random random) {
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        int delta = random.nextInt(2 * amplitude + 1) - amplitude;
        int red = Math.clamp((rgb >> 16 & 0xFF) + delta, 0, 255);
        int green = Math.clamp((rgb >> 8 & 0xFF) + delta, 0, 255);
        int blue = Math.clamp((rgb & 0xFF) + delta, 0, 255);
        image.setRGB(x, y, red << 16 | green << 8 | blue);
      }
    }
  }
}
