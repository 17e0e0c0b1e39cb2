package dev.loupe.source;

import dev.loupe.image.ContentHash;
import dev.loupe.storage.AllowedRoots;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.BlobStore.BlobInfo;
import dev.loupe.storage.NotRegularFileException;
import dev.loupe.storage.RefusedBlobException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

/**
 * The one way workers read the images a source names: inside the worker's input roots (symbolic
 * links resolved first), regular files only, and no more than {@link SourceLimits#maxImageBytes}.
 * The size is checked before a byte is read, and the read itself stops one byte past the limit, so
 * a file that grows after the check cannot make it read more.
 */
public final class SourceReader {
  private final BlobStore blobs;
  private final AllowedRoots roots;
  private final long maxBytes;

  public SourceReader(BlobStore blobs, AllowedRoots roots, long maxBytes) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
    }
    this.blobs = blobs;
    this.roots = roots;
    this.maxBytes = maxBytes;
  }

  public AllowedRoots roots() {
    return roots;
  }

  /**
   * Checks an image's location, kind and size without reading it.
   *
   * @return the location to read (for a local file, its real path) and its size
   * @throws RefusedBlobException outside the roots, not a regular file, or too large
   * @throws java.nio.file.NoSuchFileException when there is nothing at {@code uri}
   */
  public BlobInfo check(URI uri) throws RefusedBlobException, IOException {
    URI readable = roots.requireInput("image", uri);
    BlobInfo info;
    try {
      info = blobs.info(readable);
    } catch (NotRegularFileException notAFile) {
      throw RefusedBlobException.notAFile(uri);
    }
    requireWithinLimit(uri, info.sizeBytes());
    return info;
  }

  /** Refuses a size over the limit: for sizes a listing already gave. */
  public void requireWithinLimit(URI uri, long sizeBytes) throws RefusedBlobException {
    if (sizeBytes > maxBytes) {
      throw RefusedBlobException.tooLarge(uri, sizeBytes, maxBytes);
    }
  }

  /** Reads a whole image after {@link #check}ing it. */
  public byte[] read(URI uri) throws RefusedBlobException, IOException {
    BlobInfo info = check(uri);
    byte[] bytes;
    try (InputStream in = blobs.open(info.uri())) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    }
    requireWithinLimit(uri, bytes.length);
    return bytes;
  }

  /** The image's SHA-256 after {@link #check}ing it, streamed. */
  public String sha256(URI uri) throws RefusedBlobException, IOException {
    BlobInfo info = check(uri);
    try (CappedInputStream in = new CappedInputStream(blobs.open(info.uri()), maxBytes)) {
      String sha256 = ContentHash.sha256Hex(in);
      requireWithinLimit(uri, in.count());
      return sha256;
    }
  }

  /** Counts what passes and stops one byte past the cap. */
  private static final class CappedInputStream extends FilterInputStream {
    private final long cap;
    private long count;

    CappedInputStream(InputStream in, long cap) {
      super(in);
      this.cap = cap;
    }

    long count() {
      return count;
    }

    @Override
    public int read() throws IOException {
      if (count > cap) {
        return -1;
      }
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (count > cap) {
        return -1;
      }
      int n = super.read(buffer, offset, (int) Math.min(length, cap + 1 - count));
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
