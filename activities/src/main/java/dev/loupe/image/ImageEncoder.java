package dev.loupe.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Encodes 8-bit RGB images as JPEG or PNG in memory. */
final class ImageEncoder {
  private ImageEncoder() {}

  /**
   * @param image {@code TYPE_INT_RGB}: baseline JPEG has no alpha
   * @param quality 0 to 1
   */
  static byte[] jpeg(BufferedImage image, float quality) {
    ImageWriter writer = writerFor("jpeg");
    try {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      return write(writer, image, param);
    } finally {
      writer.dispose();
    }
  }

  static byte[] png(BufferedImage image) {
    ImageWriter writer = writerFor("png");
    try {
      return write(writer, image, writer.getDefaultWriteParam());
    } finally {
      writer.dispose();
    }
  }

  private static ImageWriter writerFor(String format) {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
    if (!writers.hasNext()) {
      throw new IllegalStateException("The Java runtime has no " + format + " writer");
    }
    return writers.next();
  }

  private static byte[] write(ImageWriter writer, BufferedImage image, ImageWriteParam param) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    // A memory cache, not ImageIO's default temporary files.
    try (ImageOutputStream output = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(output);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      // Writing to a byte array does no real I/O; failing here is a bug, not bad input.
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
