package dev.loupe.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * One ImageIO reader over an image held in memory, turning every way a decoder can fail on bad
 * bytes into a {@link BadImageException}. Reading the width and height touches only the header;
 * pixels are allocated by {@link #decode} alone, so callers check the pixel count first.
 */
final class ImageDecoder implements AutoCloseable {
  private final byte[] bytes;
  private final ImageInputStream input;
  private final ImageReader reader;
  private final ImageFormat format;
  private final List<String> warnings = new ArrayList<>();

  private ImageDecoder(
      byte[] bytes, ImageInputStream input, ImageReader reader, ImageFormat format) {
    this.bytes = bytes;
    this.input = input;
    this.reader = reader;
    this.format = format;
    // Ignoring metadata skips building ImageIO's metadata trees; the plugins still read what
    // decoding needs (ICC profiles, Adobe markers). Seeking forward only lets the stream drop
    // what it has passed.
    reader.setInput(input, true, true);
    reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
  }

  /**
   * Finds a reader for the bytes by their magic numbers.
   *
   * @throws BadImageException {@code empty}, {@code not_an_image} or {@code unsupported_format}
   */
  static ImageDecoder open(byte[] bytes) throws BadImageException {
    if (bytes.length == 0) {
      throw new BadImageException("empty", "The file is empty (0 bytes).");
    }
    // A memory cache, not ImageIO's default temporary files: the bytes are already in memory.
    ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
    try {
      return openReader(bytes, input);
    } catch (BadImageException e) {
      closeStream(input);
      throw e;
    } catch (RuntimeException e) {
      // A plugin's format sniffing choked on the first bytes: no decoder can take this file.
      closeStream(input);
      throw new BadImageException("not_an_image", "Not an image: " + e);
    }
  }

  private static ImageDecoder openReader(byte[] bytes, ImageInputStream input)
      throws BadImageException {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
    if (!readers.hasNext()) {
      throw new BadImageException(
          "not_an_image", "Not an image: no decoder recognises the first bytes of the file.");
    }
    List<String> unsupported = new ArrayList<>();
    while (readers.hasNext()) {
      ImageReader reader = readers.next();
      String readerFormat = formatNameOf(reader);
      Optional<ImageFormat> format = ImageFormat.forReaderFormatName(readerFormat);
      if (format.isPresent()) {
        return new ImageDecoder(bytes, input, reader, format.get());
      }
      unsupported.add(readerFormat.toLowerCase(Locale.ROOT));
      reader.dispose();
    }
    throw new BadImageException(
        "unsupported_format",
        "Unsupported image format " + unsupported + "; accepted: jpeg, png, webp, gif, bmp.");
  }

  private static String formatNameOf(ImageReader reader) {
    try {
      return reader.getFormatName();
    } catch (IOException e) {
      // Readers answer from their service provider; none of the installed ones does I/O here.
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The subsampling factor that brings an image of {@code pixels} down to at most {@code budget}.
   */
  static int subsamplingWithin(long pixels, long budget) {
    return (int) Math.max(1, Math.ceil(Math.sqrt((double) pixels / budget)));
  }

  ImageFormat format() {
    return format;
  }

  /** Width of the first image, from the header. */
  int width() throws BadImageException {
    try {
      return reader.getWidth(0);
    } catch (IOException | RuntimeException e) {
      throw failure("header", e);
    }
  }

  /** Height of the first image, from the header. */
  int height() throws BadImageException {
    try {
      return reader.getHeight(0);
    } catch (IOException | RuntimeException e) {
      throw failure("header", e);
    }
  }

  /** Whether the stored pixels are CMYK or YCCK, which many consumers cannot display. */
  boolean storesCmyk() throws BadImageException {
    try {
      ImageTypeSpecifier raw = reader.getRawImageType(0);
      return raw != null && raw.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK;
    } catch (IOException | RuntimeException e) {
      throw failure("header", e);
    }
  }

  /**
   * Decodes the whole first image (the first frame of an animation).
   *
   * @param subsampling keep every n-th pixel in each direction; the decoder still reads and checks
   *     every byte of the image data, but allocates n² times less
   */
  BufferedImage decode(int subsampling) throws BadImageException {
    if (format.declaresMoreBytesThan(bytes)) {
      throw new BadImageException(
          "truncated",
          "Truncated "
              + format.formatName()
              + ": the header declares more bytes than the file has.");
    }
    ImageReadParam param = reader.getDefaultReadParam();
    if (subsampling > 1) {
      param.setSourceSubsampling(subsampling, subsampling, 0, 0);
    }
    BufferedImage image;
    try {
      image = reader.read(0, param);
    } catch (IOException | RuntimeException e) {
      throw failure("image data", e);
    }
    // The JPEG decoder does not fail on a cut-off file: it warns and paints the rest grey.
    if (warnedOfTruncation()) {
      throw new BadImageException(
          "truncated", "Truncated " + format.formatName() + ": " + String.join("; ", warnings));
    }
    return image;
  }

  /**
   * Classifies a decoder failure. Runtime exceptions count too: on malformed input some plugins
   * throw ArrayIndexOutOfBounds, IllegalArgument or NegativeArraySize exceptions, and the bytes
   * will not decode any better on another try.
   */
  private BadImageException failure(String part, Exception e) {
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (causedByEndOfFile(e) || warnedOfTruncation() || format.lacksEndMarker(bytes)) {
      return new BadImageException(
          "truncated",
          "Truncated " + format.formatName() + ": cannot read the " + part + " (" + detail + ").");
    }
    return new BadImageException(
        "corrupt",
        "Corrupt " + format.formatName() + ": cannot read the " + part + " (" + detail + ").");
  }

  private static boolean causedByEndOfFile(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof EOFException) {
        return true;
      }
    }
    return false;
  }

  private boolean warnedOfTruncation() {
    return warnings.stream()
        .map(warning -> warning.toLowerCase(Locale.ROOT))
        .anyMatch(
            warning ->
                warning.contains("truncated")
                    || warning.contains("premature end")
                    || warning.contains("missing eoi"));
  }

  @Override
  public void close() {
    reader.dispose();
    closeStream(input);
  }

  private static void closeStream(ImageInputStream input) {
    try {
      input.close();
    } catch (IOException e) {
      // Closing a memory-cached stream over a byte array releases buffers and cannot fail.
      throw new UncheckedIOException(e);
    }
  }
}
