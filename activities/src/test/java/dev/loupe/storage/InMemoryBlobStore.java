package dev.loupe.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A fake {@link BlobStore} for tests of code that stores blobs: keeps them in memory under any
 * hierarchical URI. It passes the same {@link BlobStoreContract} as the real stores.
 */
public final class InMemoryBlobStore implements BlobStore {
  private final NavigableMap<String, Stored> blobs = new ConcurrentSkipListMap<>();

  @Override
  public InputStream open(URI uri) throws IOException {
    return new ByteArrayInputStream(read(uri));
  }

  @Override
  public InputStream open(URI uri, long offset) throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must not be negative: " + offset);
    }
    byte[] content = read(uri);
    int from = (int) Math.min(offset, content.length);
    return new ByteArrayInputStream(content, from, content.length - from);
  }

  @Override
  public BlobInfo info(URI uri) throws IOException {
    return new BlobInfo(uri, read(uri).length);
  }

  @Override
  public byte[] read(URI uri) throws IOException {
    return readIfExists(uri).orElseThrow(() -> new NoSuchFileException(uri.toString()));
  }

  @Override
  public Optional<byte[]> readIfExists(URI uri) {
    Stored stored = blobs.get(blobKey(uri));
    return stored == null ? Optional.empty() : Optional.of(stored.content().clone());
  }

  @Override
  public void write(URI uri, byte[] content) {
    blobs.put(blobKey(uri), new Stored(uri, content.clone()));
  }

  @Override
  public void upload(URI uri, Path file) throws IOException {
    write(uri, Files.readAllBytes(file));
  }

  @Override
  public void delete(URI uri) {
    blobs.remove(blobKey(uri));
  }

  @Override
  public boolean exists(URI uri) {
    return blobs.containsKey(blobKey(uri));
  }

  @Override
  public List<BlobInfo> list(URI prefix, String startAfter, int max) {
    if (max <= 0) {
      throw new IllegalArgumentException("max must be positive: " + max);
    }
    String keyPrefix = key(prefix);
    String afterKey = startAfter == null ? null : key(URI.create(startAfter));
    Map<String, Stored> candidates =
        afterKey == null || afterKey.compareTo(keyPrefix) < 0
            ? blobs.tailMap(keyPrefix, true)
            : blobs.tailMap(afterKey, false);
    List<BlobInfo> page = new ArrayList<>();
    for (Map.Entry<String, Stored> entry : candidates.entrySet()) {
      if (page.size() >= max || !entry.getKey().startsWith(keyPrefix)) {
        break; // keys under the prefix are contiguous
      }
      Stored stored = entry.getValue();
      page.add(new BlobInfo(stored.uri(), stored.content().length));
    }
    return page;
  }

  private static String blobKey(URI uri) {
    String key = key(uri);
    if (key.endsWith("/")) {
      throw new IllegalArgumentException("not a blob but a directory: " + uri);
    }
    return key;
  }

  /** Orders like the real stores: by decoded path within one scheme and authority. */
  private static String key(URI uri) {
    if (uri.getScheme() == null || uri.isOpaque()) {
      throw new IllegalArgumentException("not a hierarchical URI: " + uri);
    }
    String authority = uri.getAuthority() == null ? "" : uri.getAuthority();
    return uri.getScheme() + "://" + authority + uri.getPath();
  }

  private record Stored(URI uri, byte[] content) {}
}
