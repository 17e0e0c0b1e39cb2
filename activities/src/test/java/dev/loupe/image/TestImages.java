package dev.loupe.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encoded test images, good and bad, generated in memory. Good images are at least 512 pixels on
 * the short side, as recipes require. Shared with other modules through the test-jar.
 *
 * <p>The one stored file is {@code scene.webp}: nothing in Java writes WebP. It was made with
 * {@code cwebp -q 50 scene.png -o scene.webp} (libwebp 1.2.4, Debian's {@code webp} package) from
 * {@code TestScenes.photoScene(640, 512)} saved as PNG.
 */
public final class TestImages {
  public static final int WIDTH = 768;
  public static final int HEIGHT = 576;

  /** Dimensions of {@link #webp()}. */
  public static final int WEBP_WIDTH = 640;

  public static final int WEBP_HEIGHT = 512;

  private TestImages() {}

  public static byte[] barChartPng() {
    return png(TestScenes.barChart(WIDTH, HEIGHT));
  }

  /** Portrait, {@code HEIGHT × WIDTH}. */
  public static byte[] receiptPng() {
    return png(TestScenes.receipt(HEIGHT, WIDTH));
  }

  public static byte[] documentPagePng() {
    return png(TestScenes.documentPage(WIDTH, HEIGHT));
  }

  public static byte[] photoJpeg() {
    return jpeg(TestScenes.photoScene(WIDTH, HEIGHT), 0.9f);
  }

  /** The photo as PNG: large and noisy, so cutting it short always cuts into the image data. */
  public static byte[] photoPng() {
    return png(TestScenes.photoScene(WIDTH, HEIGHT));
  }

  /**
   * A CMYK JPEG as Photoshop writes them (Adobe APP14 marker, inverted values): the top half pure
   * cyan, the bottom half white (no ink).
   */
  public static byte[] cmykJpeg() {
    WritableRaster raster =
        WritableRaster.createInterleavedRaster(DataBuffer.TYPE_BYTE, WIDTH, HEIGHT, 4, null);
    // Inverted, as Adobe stores CMYK: 0 is full ink, 255 none.
    int[] cyan = {0, 255, 255, 255};
    int[] paper = {255, 255, 255, 255};
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) {
        raster.setPixel(x, y, y < HEIGHT / 2 ? cyan : paper);
      }
    }
    // The JDK writer stores four channels as they are but marks nothing; the Adobe marker with
    // transform 0 is what tells readers the channels are CMYK.
    byte[] unmarked = write(jpegWriter(), new IIOImage(raster, null, null), null);
    byte[] adobe = {
      (byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0
    };
    return insertAfterStartOfImage(unmarked, adobe);
  }

  /** 8-bit greyscale PNG of the photo scene. */
  public static byte[] grayPng() {
    BufferedImage gray = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = gray.createGraphics();
    g.drawImage(TestScenes.photoScene(WIDTH, HEIGHT), 0, 0, null);
    g.dispose();
    return png(gray);
  }

  /** 16-bit greyscale PNG: a ramp from black on the left to white on the right. */
  public static byte[] gray16Png() {
    BufferedImage gray = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_USHORT_GRAY);
    WritableRaster raster = gray.getRaster();
    for (int x = 0; x < WIDTH; x++) {
      int value = x * 65535 / (WIDTH - 1);
      for (int y = 0; y < HEIGHT; y++) {
        raster.setSample(x, y, 0, value);
      }
    }
    return png(gray);
  }

  /** RGBA PNG: a blue disc on a fully transparent background. */
  public static byte[] translucentPng() {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = image.createGraphics();
    g.setColor(new Color(0x30, 0x60, 0xD0));
    g.fillOval(WIDTH / 4, HEIGHT / 4, WIDTH / 2, HEIGHT / 2);
    g.dispose();
    return png(image);
  }

  /** Lossy WebP (VP8) of the photo scene, {@code WEBP_WIDTH × WEBP_HEIGHT}. */
  public static byte[] webp() {
    try (InputStream in = TestImages.class.getResourceAsStream("scene.webp")) {
      if (in == null) {
        throw new IllegalStateException("scene.webp is missing from the test resources");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] gif() {
    return encode(TestScenes.barChart(WIDTH, HEIGHT), "gif");
  }

  /** Two frames: solid red, then solid blue. */
  public static byte[] animatedGif() {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream output = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(output);
      writer.prepareWriteSequence(null);
      for (Color color : new Color[] {Color.RED, Color.BLUE}) {
        BufferedImage frame = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = frame.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.dispose();
        writer.writeToSequence(new IIOImage(frame, null, null), null);
      }
      writer.endWriteSequence();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  public static byte[] bmp() {
    return encode(TestScenes.barChart(WIDTH, HEIGHT), "bmp");
  }

  /** A TIFF: an image format ImageIO reads but Loupe does not take. */
  public static byte[] tiff() {
    return encode(TestScenes.barChart(WIDTH, HEIGHT), "tiff");
  }

  public static byte[] empty() {
    return new byte[0];
  }

  public static byte[] textFile() {
    return "Invoice 2024-117\nTotal: 30.02 EUR\n".getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] randomBytes() {
    byte[] bytes = new byte[4096];
    new Random(42).nextBytes(bytes);
    return bytes;
  }

  public static byte[] truncatedJpeg() {
    return firstPart(photoJpeg(), 0.6);
  }

  public static byte[] truncatedPng() {
    return firstPart(photoPng(), 0.6);
  }

  public static byte[] truncatedGif() {
    return firstPart(gif(), 0.6);
  }

  public static byte[] truncatedBmp() {
    return firstPart(bmp(), 0.6);
  }

  /** A whole, valid PNG of 100×80 pixels: below every recipe's minimum. */
  public static byte[] tinyPng() {
    return png(TestScenes.barChart(100, 80));
  }

  /**
   * A valid-looking PNG of a few dozen bytes whose header declares 40000×40000 pixels (4.8 GB as
   * RGB): a decompression bomb. Decoding it would allocate the whole buffer before finding that the
   * image data is missing.
   */
  public static byte[] pixelBombPng() {
    return pngDeclaring(40_000, 40_000);
  }

  /** A PNG with the given header and a single tiny row of image data. */
  public static byte[] pngDeclaring(int width, int height) {
    ByteBuffer header = ByteBuffer.allocate(13).putInt(width).putInt(height);
    header.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    Deflater deflater = new Deflater();
    deflater.setInput(new byte[16]);
    deflater.finish();
    byte[] compressed = new byte[64];
    int length = deflater.deflate(compressed);
    deflater.end();
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    writeChunk(png, "IHDR", header.array());
    writeChunk(png, "IDAT", Arrays.copyOf(compressed, length));
    writeChunk(png, "IEND", new byte[0]);
    return png.toByteArray();
  }

  /**
   * Adds an EXIF APP1 segment holding only the Orientation tag (1 to 8) right after the JFIF
   * segment, as cameras and editors place it.
   */
  public static byte[] withExifOrientation(byte[] jpeg, int orientation, ByteOrder order) {
    ByteBuffer tiff = ByteBuffer.allocate(26).order(order);
    tiff.put(order == ByteOrder.LITTLE_ENDIAN ? new byte[] {'I', 'I'} : new byte[] {'M', 'M'});
    tiff.putShort((short) 42).putInt(8); // magic, offset of IFD0
    tiff.putShort((short) 1); // one entry
    tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1); // Orientation, SHORT, count 1
    tiff.putShort((short) orientation).putShort((short) 0); // value, padding to four bytes
    tiff.putInt(0); // no next IFD
    return withExif(jpeg, tiff.array());
  }

  /**
   * Adds an EXIF APP1 segment holding {@code tiff} (a TIFF header and IFDs, well formed or not)
   * right after the JFIF segment.
   */
  public static byte[] withExif(byte[] jpeg, byte[] tiff) {
    byte[] exif = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
    int length = 2 + exif.length + tiff.length;
    ByteBuffer segment = ByteBuffer.allocate(2 + length);
    segment.put((byte) 0xFF).put((byte) 0xE1).putShort((short) length).put(exif).put(tiff);
    return insertAfterJfif(jpeg, segment.array());
  }

  public static byte[] png(BufferedImage image) {
    return encode(image, "png");
  }

  public static byte[] jpeg(BufferedImage image, float quality) {
    ImageWriter writer = jpegWriter();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(quality);
    return write(writer, new IIOImage(image, null, null), param);
  }

  /** Reads an image with ImageIO, failing the test on anything unreadable. */
  public static BufferedImage decode(byte[] bytes) {
    try {
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
      if (image == null) {
        throw new IllegalArgumentException("No ImageIO reader for these bytes");
      }
      return image;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, bytes)) {
        throw new IllegalStateException("No ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static ImageWriter jpegWriter() {
    return ImageIO.getImageWritersByFormatName("jpeg").next();
  }

  private static byte[] write(ImageWriter writer, IIOImage image, ImageWriteParam param) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream output = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(output);
      writer.write(null, image, param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  private static byte[] firstPart(byte[] bytes, double fraction) {
    return Arrays.copyOf(bytes, (int) (bytes.length * fraction));
  }

  private static void writeChunk(ByteArrayOutputStream png, String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    png.writeBytes(typeBytes);
    png.writeBytes(data);
    png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  private static byte[] insertAfterStartOfImage(byte[] jpeg, byte[] segment) {
    return insertAt(jpeg, 2, segment);
  }

  /** After the APP0 (JFIF) segment if the file starts with one, else right after SOI. */
  private static byte[] insertAfterJfif(byte[] jpeg, byte[] segment) {
    boolean jfif = (jpeg[2] & 0xFF) == 0xFF && (jpeg[3] & 0xFF) == 0xE0;
    int position = jfif ? 4 + ((jpeg[4] & 0xFF) << 8 | (jpeg[5] & 0xFF)) : 2;
    return insertAt(jpeg, position, segment);
  }

  private static byte[] insertAt(byte[] bytes, int position, byte[] inserted) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + inserted.length);
    out.write(bytes, 0, position);
    out.writeBytes(inserted);
    out.write(bytes, position, bytes.length - position);
    return out.toByteArray();
  }
}
