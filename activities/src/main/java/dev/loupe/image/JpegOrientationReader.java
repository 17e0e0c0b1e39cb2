package dev.loupe.image;

import com.twelvemonkeys.imageio.metadata.CompoundDirectory;
import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.io.IOException;
import java.util.List;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads the EXIF Orientation tag of a JPEG with TwelveMonkeys' metadata readers, the library whose
 * plugins decode the pixels. ImageIO's JPEG readers do not apply the tag, and building their full
 * metadata tree is far more than one tag needs. Anything malformed reads as upright: a wrong
 * rotation is better than rejecting an image over its metadata.
 */
final class JpegOrientationReader {
  /** "Exif" followed by two zero bytes, of which the segment identifier takes the first. */
  private static final String EXIF = "Exif";

  private JpegOrientationReader() {}

  static ExifOrientation read(byte[] jpeg) {
    try (ImageInputStream input = new ByteArrayImageInputStream(jpeg)) {
      List<JPEGSegment> segments = JPEGSegmentUtil.readSegments(input, JPEG.APP1, EXIF);
      return segments.isEmpty() ? ExifOrientation.NORMAL : fromExif(segments.getFirst());
    } catch (IOException | RuntimeException malformed) {
      // The library reports bad bytes as IIOExceptions, and on some (a segment length below two,
      // for one) as runtime exceptions; either way the metadata is unreadable, not the image.
      return ExifOrientation.NORMAL;
    }
  }

  private static ExifOrientation fromExif(JPEGSegment segment) throws IOException {
    byte[] data = segment.data().readAllBytes();
    if (data.length < 1) {
      return ExifOrientation.NORMAL;
    }
    // A stream over an array knows its length, so the reader can refuse a value whose declared
    // size runs past the segment instead of allocating it.
    try (ImageInputStream tiff = new ByteArrayImageInputStream(data, 1, data.length - 1)) {
      Directory directory = new TIFFReader().read(tiff);
      Directory ifd0 =
          directory instanceof CompoundDirectory compound && compound.directoryCount() > 0
              ? compound.getDirectory(0)
              : directory;
      Entry orientation = ifd0.getEntryById(TIFF.TAG_ORIENTATION);
      return orientation != null && orientation.getValue() instanceof Number value
          ? ExifOrientation.fromTagValue(value.intValue())
          : ExifOrientation.NORMAL;
    }
  }
}
