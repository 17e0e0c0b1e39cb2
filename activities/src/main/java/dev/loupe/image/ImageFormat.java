package dev.loupe.image;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The formats Loupe reads, with what their files declare about their own length. */
enum ImageFormat {
  JPEG("jpeg", "image/jpeg"),
  PNG("png", "image/png"),
  WEBP("webp", "image/webp"),
  GIF("gif", "image/gif"),
  BMP("bmp", "image/bmp");

  private final String formatName;
  private final String mimeType;

  ImageFormat(String formatName, String mimeType) {
    this.formatName = formatName;
    this.mimeType = mimeType;
  }

  /** Lower-case name, as in {@link ProbedImage#format()}. */
  String formatName() {
    return formatName;
  }

  String mimeType() {
    return mimeType;
  }

  /** The format an ImageIO reader reports, or empty for formats Loupe does not take. */
  static Optional<ImageFormat> forReaderFormatName(String readerFormatName) {
    return switch (readerFormatName.toLowerCase(Locale.ROOT)) {
      case "jpeg", "jpg" -> Optional.of(JPEG);
      case "png" -> Optional.of(PNG);
      case "webp" -> Optional.of(WEBP);
      case "gif" -> Optional.of(GIF);
      case "bmp" -> Optional.of(BMP);
      default -> Optional.empty();
    };
  }

  /**
   * Whether the file's header declares more bytes than there are. The BMP reader fills missing rows
   * without complaint, so this is the only way to see that a BMP was cut short.
   */
  boolean declaresMoreBytesThan(byte[] bytes) {
    return switch (this) {
      // BITMAPFILEHEADER bfSize, little-endian at offset 2.
      case BMP -> bytes.length >= 6 && littleEndianInt(bytes, 2) > bytes.length;
      // RIFF chunk size at offset 4 counts everything after the first 8 bytes.
      case WEBP -> bytes.length >= 8 && littleEndianInt(bytes, 4) + 8 > bytes.length;
      case JPEG, PNG, GIF -> false;
    };
  }

  /**
   * Whether the file lacks the marker its format ends with. Used only to tell a truncated file from
   * a corrupt one after decoding failed: files with trailing bytes after the marker exist and
   * decode fine.
   */
  boolean lacksEndMarker(byte[] bytes) {
    return switch (this) {
      case JPEG -> !endsWith(bytes, new byte[] {(byte) 0xFF, (byte) 0xD9});
      case PNG ->
          !endsWith(bytes, new byte[] {'I', 'E', 'N', 'D', (byte) 0xAE, 0x42, 0x60, (byte) 0x82});
      case GIF -> !endsWith(bytes, new byte[] {0x3B});
      case WEBP, BMP -> declaresMoreBytesThan(bytes);
    };
  }

  private static long littleEndianInt(byte[] bytes, int offset) {
    return (bytes[offset] & 0xFFL)
        | (bytes[offset + 1] & 0xFFL) << 8
        | (bytes[offset + 2] & 0xFFL) << 16
        | (bytes[offset + 3] & 0xFFL) << 24;
  }

  private static boolean endsWith(byte[] bytes, byte[] suffix) {
    return bytes.length >= suffix.length
        && Arrays.equals(
            bytes, bytes.length - suffix.length, bytes.length, suffix, 0, suffix.length);
  }
}
