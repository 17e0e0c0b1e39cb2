package dev.loupe.image;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Tells an image's type from its first bytes, independently of ImageIO, to check declared types.
 */
public final class MagicNumbers {
  private MagicNumbers() {}

  /** The MIME type the bytes start like, or {@code application/octet-stream}. */
  public static String mimeTypeOf(byte[] bytes) {
    if (startsWith(bytes, 0, (byte) 0xFF, (byte) 0xD8, (byte) 0xFF)) {
      return "image/jpeg";
    }
    if (startsWith(
        bytes,
        0,
        (byte) 0x89,
        (byte) 'P',
        (byte) 'N',
        (byte) 'G',
        (byte) '\r',
        (byte) '\n',
        (byte) 0x1A,
        (byte) '\n')) {
      return "image/png";
    }
    if (startsWith(bytes, 0, ascii("GIF87a")) || startsWith(bytes, 0, ascii("GIF89a"))) {
      return "image/gif";
    }
    if (startsWith(bytes, 0, ascii("RIFF")) && startsWith(bytes, 8, ascii("WEBP"))) {
      return "image/webp";
    }
    if (startsWith(bytes, 0, ascii("BM"))) {
      return "image/bmp";
    }
    return "application/octet-stream";
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static boolean startsWith(byte[] bytes, int offset, byte... prefix) {
    return bytes.length >= offset + prefix.length
        && Arrays.equals(bytes, offset, offset + prefix.length, prefix, 0, prefix.length);
  }
}
