package dev.loupe.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a manifest's lines from a byte stream, keeping track of the byte offset after each line so
 * that the next page can start there instead of at the top. A line longer than the limit is not
 * kept in memory: its bytes are skipped up to the next newline, and it is reported as too long.
 */
final class ManifestLines {
  private static final int BUFFER_BYTES = 64 * 1024;

  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] buffer = new byte[BUFFER_BYTES];
  private int position;
  private int limit;
  private long number;
  private long offset;

  /**
   * @param in the manifest, positioned at {@code offset}
   * @param number how many lines come before {@code offset}
   * @param offset the byte offset the stream starts at
   */
  ManifestLines(InputStream in, int maxLineBytes, long number, long offset) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
    this.number = number;
    this.offset = offset;
  }

  /**
   * One line.
   *
   * @param number 1-based line number
   * @param endOffset the byte offset just past its newline: where the next line starts
   * @param text the line without its line terminator, or null when it is longer than the limit
   * @param lengthBytes its length in bytes, without the terminator
   */
  record Line(long number, long endOffset, String text, long lengthBytes) {
    boolean tooLong() {
      return text == null;
    }
  }

  /** The next line, or null at the end of the manifest. */
  Line next() throws IOException {
    if (!fill()) {
      return null;
    }
    byte[] kept = new byte[Math.min(maxLineBytes, 1024)];
    int keptLength = 0;
    long length = 0;
    boolean newline = false;
    while (!newline && fill()) {
      int start = position;
      while (position < limit && buffer[position] != '\n') {
        position++;
      }
      int chunk = position - start;
      if (length + chunk <= maxLineBytes) {
        if (keptLength + chunk > kept.length) {
          kept =
              Arrays.copyOf(
                  kept, Math.min(maxLineBytes, Math.max(kept.length * 2, keptLength + chunk)));
        }
        System.arraycopy(buffer, start, kept, keptLength, chunk);
        keptLength += chunk;
      }
      length += chunk;
      if (position < limit) {
        newline = true;
        position++;
      }
      offset += chunk + (newline ? 1 : 0);
    }
    number++;
    if (length > maxLineBytes) {
      return new Line(number, offset, null, length);
    }
    if (keptLength > 0 && kept[keptLength - 1] == '\r') {
      keptLength--;
    }
    return new Line(
        number, offset, new String(kept, 0, keptLength, StandardCharsets.UTF_8), length);
  }

  /** Whether the manifest has no more lines. */
  boolean atEnd() throws IOException {
    return !fill();
  }

  private boolean fill() throws IOException {
    if (position < limit) {
      return true;
    }
    int read = in.read(buffer);
    while (read == 0) {
      read = in.read(buffer);
    }
    if (read < 0) {
      return false;
    }
    position = 0;
    limit = read;
    return true;
  }
}
