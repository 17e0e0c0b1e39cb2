package dev.loupe.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
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

  // Hostile EXIF: each case must come back within a second, allocate next to nothing, and read as
  // the orientation a lenient reader can still find (or upright), never throw.

  @Test
  void truncatedIfdReadsAsUpright() {
    // IFD0 declares 40 entries; the segment ends after the first (an orientation of 6).
    ByteBuffer tiff = header(40);
    entry(tiff, 0x0112, SHORT, 1, 6 << 16);

    assertThat(readHostile(tiff)).isEqualTo(ExifOrientation.NORMAL);
  }

  @Test
  void ifdChainThatLoopsBackToItselfEnds() {
    ByteBuffer tiff = header(1);
    entry(tiff, 0x0112, SHORT, 1, 6 << 16);
    tiff.putInt(8); // the next IFD is IFD0 again

    assertThat(readHostile(tiff)).isEqualTo(ExifOrientation.ROTATE_90_CLOCKWISE);
  }

  @Test
  void exifSubIfdPointingBackAtItsParentEnds() {
    ByteBuffer tiff = header(2);
    entry(tiff, 0x0112, SHORT, 1, 3 << 16);
    entry(tiff, 0x8769, LONG, 1, 8); // the EXIF sub-IFD is IFD0
    tiff.putInt(0);

    assertThat(readHostile(tiff)).isEqualTo(ExifOrientation.ROTATE_180);
  }

  @Test
  void hugeValueCountsAllocateNothing() {
    ByteBuffer tiff = header(4);
    entry(tiff, 0x010E, ASCII, 0x7FFF_FFF0, 8); // a 2 GiB description
    entry(tiff, 0x0111, LONG, 0x3FFF_FFFF, 8); // 4 GiB of strip offsets
    entry(tiff, 0x0112, SHORT, 1, 8 << 16);
    entry(tiff, 0x0117, LONG, 0xFFFF_FFFF, 8); // a count beyond any array
    tiff.putInt(0);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();

    ExifOrientation orientation = JpegOrientationReader.read(withExif(tiff));

    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(orientation).isEqualTo(ExifOrientation.ROTATE_90_COUNTERCLOCKWISE);
    assertThat(allocated).as("bytes allocated reading the EXIF").isLessThan(4L * 1024 * 1024);
  }

  @Test
  void valueOffsetBeyondTheSegmentReadsAsUpright() {
    ByteBuffer tiff = header(1);
    entry(tiff, 0x0112, SHORT, 4, 0xFFFF_FFF0); // four values, stored far past the end
    tiff.putInt(0);

    assertThat(readHostile(tiff)).isEqualTo(ExifOrientation.NORMAL);
  }

  @Test
  void ifdOffsetBeyondTheSegmentReadsAsUpright() {
    ByteBuffer tiff = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN);
    tiff.put(new byte[] {'M', 'M'}).putShort((short) 42).putInt(0x7FFF_FFFF);

    assertThat(readHostile(tiff)).isEqualTo(ExifOrientation.NORMAL);
  }

  @Test
  void segmentLengthBelowItsOwnLengthFieldReadsAsUpright() {
    byte[] segment = {(byte) 0xFF, (byte) 0xE1, 0, 1, 'E', 'x', 'i', 'f', 0, 0};
    byte[] jpeg = new byte[PHOTO.length + segment.length];
    System.arraycopy(PHOTO, 0, jpeg, 0, 2);
    System.arraycopy(segment, 0, jpeg, 2, segment.length);
    System.arraycopy(PHOTO, 2, jpeg, 2 + segment.length, PHOTO.length - 2);

    assertThat(readWithin(jpeg)).isEqualTo(ExifOrientation.NORMAL);
  }

  @Test
  void exifWithoutTiffHeaderReadsAsUpright() {
    assertThat(readWithin(TestImages.withExif(PHOTO, new byte[0])))
        .isEqualTo(ExifOrientation.NORMAL);
    assertThat(readWithin(TestImages.withExif(PHOTO, new byte[] {'X', 'X', 0, 42})))
        .isEqualTo(ExifOrientation.NORMAL);
  }

  private static final short SHORT = 3;
  private static final short LONG = 4;
  private static final short ASCII = 2;

  /** A big-endian TIFF header whose IFD0 (at offset 8) declares {@code entries} entries. */
  private static ByteBuffer header(int entries) {
    ByteBuffer tiff = ByteBuffer.allocate(512).order(ByteOrder.BIG_ENDIAN);
    tiff.put(new byte[] {'M', 'M'}).putShort((short) 42).putInt(8);
    tiff.putShort((short) entries);
    return tiff;
  }

  /** One 12-byte IFD entry; {@code value} holds a short value in its upper two bytes. */
  private static void entry(ByteBuffer tiff, int tag, short type, int count, int value) {
    tiff.putShort((short) tag).putShort(type).putInt(count).putInt(value);
  }

  private static byte[] withExif(ByteBuffer tiff) {
    return TestImages.withExif(PHOTO, Arrays.copyOf(tiff.array(), tiff.position()));
  }

  private static ExifOrientation readHostile(ByteBuffer tiff) {
    return readWithin(withExif(tiff));
  }

  private static ExifOrientation readWithin(byte[] jpeg) {
    return assertTimeoutPreemptively(Duration.ofSeconds(1), () -> JpegOrientationReader.read(jpeg));
  }
}
