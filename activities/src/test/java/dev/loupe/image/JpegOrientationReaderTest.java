package dev.loupe.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JpegOrientationReaderTest {
  private static final byte[] PHOTO = TestImages.photoJpeg();

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void readsEveryOrientationInBothByteOrders(int orientation) {
    ExifOrientation expected = ExifOrientation.values()[orientation - 1];

    assertThat(
            JpegOrientationReader.read(
                TestImages.withExifOrientation(PHOTO, orientation, ByteOrder.BIG_ENDIAN)))
        .isEqualTo(expected);
    assertThat(
            JpegOrientationReader.read(
                TestImages.withExifOrientation(PHOTO, orientation, ByteOrder.LITTLE_ENDIAN)))
        .isEqualTo(expected);
  }

  @Test
  void jpegWithoutExifIsUpright() {
    assertThat(JpegOrientationReader.read(PHOTO)).isEqualTo(ExifOrientation.NORMAL);
  }

  @Test
  void outOfRangeValueIsUpright() {
    byte[] jpeg = TestImages.withExifOrientation(PHOTO, 9, ByteOrder.BIG_ENDIAN);

    assertThat(JpegOrientationReader.read(jpeg)).isEqualTo(ExifOrientation.NORMAL);
  }

  @Test
  void malformedOrForeignBytesAreUpright() {
    byte[] tagged = TestImages.withExifOrientation(PHOTO, 6, ByteOrder.BIG_ENDIAN);

    // Cut inside the APP1 segment: its declared length runs past the end.
    assertThat(JpegOrientationReader.read(Arrays.copyOf(tagged, 40)))
        .isEqualTo(ExifOrientation.NORMAL);
    assertThat(JpegOrientationReader.read(TestImages.barChartPng()))
        .isEqualTo(ExifOrientation.NORMAL);
    assertThat(JpegOrientationReader.read(new byte[] {(byte) 0xFF}))
        .isEqualTo(ExifOrientation.NORMAL);
    assertThat(JpegOrientationReader.read(TestImages.randomBytes()))
        .isEqualTo(ExifOrientation.NORMAL);
  }

  @Test
  void findsExifAfterOtherApplicationSegments() {
    byte[] tagged = TestImages.withExifOrientation(PHOTO, 8, ByteOrder.BIG_ENDIAN);
    // An XMP packet is APP1 too, with a different header; it must be skipped, not misread.
    byte[] xmp = {
      (byte) 0xFF, (byte) 0xE1, 0, 12, 'h', 't', 't', 'p', ':', '/', '/', 'n', 's', '.'
    };
    byte[] withXmp = new byte[tagged.length + xmp.length];
    System.arraycopy(tagged, 0, withXmp, 0, 2);
    System.arraycopy(xmp, 0, withXmp, 2, xmp.length);
    System.arraycopy(tagged, 2, withXmp, 2 + xmp.length, tagged.length - 2);

    assertThat(JpegOrientationReader.read(withXmp))
        .isEqualTo(ExifOrientation.ROTATE_90_COUNTERCLOCKWISE);
  }
}
