package dev.loupe.image;

import java.util.Arrays;

/**
 * Finds the EXIF Orientation tag in a JPEG's APP1 segment. ImageIO's JPEG readers ignore it, and
 * the full metadata tree is far more than one tag needs. Anything malformed reads as upright: a
 * wrong rotation is better than rejecting an image over its metadata.
 */
final class JpegOrientationReader {
  private static final int ORIENTATION_TAG = 0x0112;
  private static final int TIFF_SHORT = 3;
  private static final byte[] EXIF_HEADER = {'E', 'x', 'i', 'f', 0, 0};

  private JpegOrientationReader() {}

  static ExifOrientation read(byte[] jpeg) {
    if (jpeg.length < 4 || unsigned(jpeg, 0) != 0xFF || unsigned(jpeg, 1) != 0xD8) {
      return ExifOrientation.NORMAL;
    }
    int position = 2;
    while (position + 4 <= jpeg.length) {
      if (unsigned(jpeg, position) != 0xFF) {
        return ExifOrientation.NORMAL;
      }
      int marker = unsigned(jpeg, position + 1);
      if (marker == 0xFF) {
        position++; // fill byte before a marker
        continue;
      }
      if (marker == 0xDA || marker == 0xD9) {
        return ExifOrientation.NORMAL; // start of scan or end of image: metadata is over
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        position += 2; // markers without a length
        continue;
      }
      int length = (unsigned(jpeg, position + 2) << 8) | unsigned(jpeg, position + 3);
      int segmentEnd = position + 2 + length;
      if (length < 2 || segmentEnd > jpeg.length) {
        return ExifOrientation.NORMAL;
      }
      int payload = position + 4;
      if (marker == 0xE1 && startsWith(jpeg, payload, segmentEnd, EXIF_HEADER)) {
        return fromTiff(jpeg, payload + EXIF_HEADER.length, segmentEnd);
      }
      position = segmentEnd;
    }
    return ExifOrientation.NORMAL;
  }

  /** Reads IFD0 of the TIFF structure that EXIF data is stored in. */
  private static ExifOrientation fromTiff(byte[] bytes, int start, int end) {
    if (start + 8 > end) {
      return ExifOrientation.NORMAL;
    }
    boolean littleEndian;
    if (bytes[start] == 'I' && bytes[start + 1] == 'I') {
      littleEndian = true;
    } else if (bytes[start] == 'M' && bytes[start + 1] == 'M') {
      littleEndian = false;
    } else {
      return ExifOrientation.NORMAL;
    }
    TiffReader tiff = new TiffReader(bytes, start, littleEndian);
    if (tiff.u16(2) != 42) {
      return ExifOrientation.NORMAL;
    }
    long ifd = tiff.u32(4);
    if (ifd < 8 || start + ifd + 2 > end) {
      return ExifOrientation.NORMAL;
    }
    int entries = tiff.u16((int) ifd);
    for (int i = 0; i < entries; i++) {
      int entry = (int) ifd + 2 + 12 * i;
      if (start + entry + 12 > end) {
        return ExifOrientation.NORMAL;
      }
      if (tiff.u16(entry) == ORIENTATION_TAG) {
        return tiff.u16(entry + 2) == TIFF_SHORT
            ? ExifOrientation.fromTagValue(tiff.u16(entry + 8))
            : ExifOrientation.NORMAL;
      }
    }
    return ExifOrientation.NORMAL;
  }

  private static boolean startsWith(byte[] bytes, int from, int end, byte[] prefix) {
    return from + prefix.length <= end
        && Arrays.equals(bytes, from, from + prefix.length, prefix, 0, prefix.length);
  }

  private static int unsigned(byte[] bytes, int index) {
    return bytes[index] & 0xFF;
  }

  /**
   * Offsets are relative to the start of the TIFF header, as EXIF offsets are; bounds checked by
   * the caller.
   */
  private record TiffReader(byte[] bytes, int start, boolean littleEndian) {
    int u16(int offset) {
      int first = unsigned(bytes, start + offset);
      int second = unsigned(bytes, start + offset + 1);
      return littleEndian ? first | second << 8 : first << 8 | second;
    }

    long u32(int offset) {
      long high = u16(littleEndian ? offset + 2 : offset);
      long low = u16(littleEndian ? offset : offset + 2);
      return high << 16 | low;
    }
  }
}
