package dev.loupe.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where images are read and outputs written: a local directory ({@code file://}) or an
 * S3-compatible bucket ({@code s3://bucket/key}). Both behave the same: keys are '/'-separated
 * paths under a prefix, listings are in lexicographic key order.
 */
public interface BlobStore {

  /** Opens a blob for reading. Throws {@link java.nio.file.NoSuchFileException} when absent. */
  InputStream open(URI uri) throws IOException;

  /** Reads a whole blob. Throws {@link java.nio.file.NoSuchFileException} when absent. */
  byte[] read(URI uri) throws IOException;

  /** Reads a whole blob, or empty when it does not exist. */
  Optional<byte[]> readIfExists(URI uri) throws IOException;

  /** Writes (or replaces) a blob atomically: readers see the old or the new content, never half. */
  void write(URI uri, byte[] content) throws IOException;

  /** Uploads a local file as a blob, for outputs too large to hold in memory. */
  void upload(URI uri, Path file) throws IOException;

  boolean exists(URI uri) throws IOException;

  /**
   * Lists blobs under a prefix (recursively), in lexicographic order of their key, starting after
   * {@code startAfter} (a URI previously returned, or null), at most {@code max} of them.
   */
  List<BlobInfo> list(URI prefix, String startAfter, int max) throws IOException;

  /** One listed blob. */
  record BlobInfo(URI uri, long sizeBytes) {}
}
