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
 *
 * <p>URIs come from {@link Locations}. A URI that names a directory (ends in '/') is not a blob:
 * reading or writing one is an {@link IllegalArgumentException}, as is a URI of another scheme.
 * Storage failures are {@link IOException}s; {@link java.nio.file.NoSuchFileException} and {@link
 * java.nio.file.AccessDeniedException} mark the ones that trying again will not fix.
 */
public interface BlobStore {

  /** Opens a blob for reading. Throws {@link java.nio.file.NoSuchFileException} when absent. */
  InputStream open(URI uri) throws IOException;

  /**
   * Opens a blob for reading from byte {@code offset} on, without reading what comes before; at or
   * past the end, the stream is empty. For resuming a manifest where the last page ended.
   */
  InputStream open(URI uri, long offset) throws IOException;

  /**
   * The blob's size, without reading it. Throws {@link java.nio.file.NoSuchFileException} when
   * absent and {@link NotRegularFileException} for a local path that is a device, pipe, socket or
   * directory.
   */
  BlobInfo info(URI uri) throws IOException;

  /** Reads a whole blob. Throws {@link java.nio.file.NoSuchFileException} when absent. */
  byte[] read(URI uri) throws IOException;

  /** Reads a whole blob, or empty when it does not exist. */
  Optional<byte[]> readIfExists(URI uri) throws IOException;

  /** Writes (or replaces) a blob atomically: readers see the old or the new content, never half. */
  void write(URI uri, byte[] content) throws IOException;

  /** Uploads a local file as a blob, for outputs too large to hold in memory. */
  void upload(URI uri, Path file) throws IOException;

  /**
   * Deletes a blob; nothing happens when there is none. For outputs that a later export replaces
   * with fewer files (a sharded file that is small again).
   */
  void delete(URI uri) throws IOException;

  /** Whether a blob exists at {@code uri}; false for a directory or prefix that only holds some. */
  boolean exists(URI uri) throws IOException;

  /**
   * Lists blobs under a prefix (recursively), in lexicographic order of their key, starting after
   * {@code startAfter} (a URI previously returned, or null), at most {@code max} of them.
   *
   * <p>A prefix ending in '/' is a directory; one that does not matches every key that starts with
   * it, as in S3 ({@code s3://b/img} lists {@code img.jpg} and {@code img/a.jpg}). A prefix that
   * matches nothing, including a missing directory, lists as empty. {@code max} must be positive.
   */
  List<BlobInfo> list(URI prefix, String startAfter, int max) throws IOException;

  /** One listed blob. */
  record BlobInfo(URI uri, long sizeBytes) {}
}
