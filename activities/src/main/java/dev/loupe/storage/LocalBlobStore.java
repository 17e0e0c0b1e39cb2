package dev.loupe.storage;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * Blobs in the local file system, addressed by {@code file:///absolute/path} URIs.
 *
 * <p>Keys are absolute paths; listings walk directories recursively in key order, without reading
 * more of the tree than the requested page needs. Names starting with '.' (hidden files and
 * directories, and this store's own temporary files) are never listed, nor is anything under a
 * symbolic link to a directory (which could lead anywhere, or round in a loop); a link to a file is
 * listed as that file, and readers check where it leads. Only regular files are listed, and {@link
 * #info} refuses anything else (such as {@code /dev/zero}). Listing a directory that does not exist
 * yields nothing, as listing an unused S3 prefix does.
 */
public final class LocalBlobStore implements BlobStore {

  @Override
  public InputStream open(URI uri) throws IOException {
    return Files.newInputStream(blobPath(uri));
  }

  @Override
  public InputStream open(URI uri, long offset) throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must not be negative: " + offset);
    }
    FileChannel channel = FileChannel.open(blobPath(uri));
    try {
      return Channels.newInputStream(channel.position(offset));
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  @Override
  public BlobInfo info(URI uri) throws IOException {
    Path path = blobPath(uri);
    BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
    if (!attributes.isRegularFile()) {
      throw new NotRegularFileException(path.toString());
    }
    return new BlobInfo(uri, attributes.size());
  }

  @Override
  public byte[] read(URI uri) throws IOException {
    return Files.readAllBytes(blobPath(uri));
  }

  @Override
  public Optional<byte[]> readIfExists(URI uri) throws IOException {
    try {
      return Optional.of(read(uri));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public void write(URI uri, byte[] content) throws IOException {
    replaceAtomically(blobPath(uri), temp -> Files.write(temp, content, CREATE_NEW, WRITE));
  }

  @Override
  public void upload(URI uri, Path file) throws IOException {
    replaceAtomically(blobPath(uri), temp -> Files.copy(file, temp));
  }

  @Override
  public void delete(URI uri) throws IOException {
    Files.deleteIfExists(blobPath(uri));
  }

  @Override
  public boolean exists(URI uri) throws IOException {
    return Files.isRegularFile(blobPath(uri));
  }

  @Override
  public List<BlobInfo> list(URI prefix, String startAfter, int max) throws IOException {
    if (max <= 0) {
      throw new IllegalArgumentException("max must be positive: " + max);
    }
    String keyPrefix = pathOf(prefix.normalize());
    String directoryKey = keyPrefix.substring(0, keyPrefix.lastIndexOf('/') + 1);
    String after = startAfter == null ? null : pathOf(URI.create(startAfter));
    List<BlobInfo> page = new ArrayList<>();
    new Walk(keyPrefix, after, max, page).directory(Path.of(directoryKey), directoryKey);
    return page;
  }

  /** Writes to a hidden temporary file beside the target, then renames it over the target. */
  private static void replaceAtomically(Path target, TempWriter writer) throws IOException {
    Path directory = target.getParent();
    Files.createDirectories(directory);
    Path temp = directory.resolve(".loupe-" + UUID.randomUUID() + ".tmp");
    try {
      writer.writeTo(temp);
      try (FileChannel channel = FileChannel.open(temp, WRITE)) {
        channel.force(true); // the rename must not become visible before the bytes are on disk
      }
      Files.move(temp, target, ATOMIC_MOVE, REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  private static Path blobPath(URI uri) {
    String path = pathOf(uri);
    if (path.endsWith("/")) {
      throw new IllegalArgumentException("not a blob but a directory: " + uri);
    }
    return Path.of(path);
  }

  /** The decoded absolute path of a {@code file:///…} URI. */
  private static String pathOf(URI uri) {
    if (uri.getScheme() == null
        || !uri.getScheme().toLowerCase(Locale.ROOT).equals("file")
        || uri.isOpaque()
        || (uri.getAuthority() != null && !uri.getAuthority().isEmpty())
        || uri.getPath() == null
        || !uri.getPath().startsWith("/")
        || uri.getQuery() != null
        || uri.getFragment() != null) {
      throw new IllegalArgumentException("not a local file URI (file:///absolute/path): " + uri);
    }
    return uri.getPath();
  }

  @FunctionalInterface
  private interface TempWriter {
    void writeTo(Path temp) throws IOException;
  }

  /**
   * One depth-first listing. Keys of directories end with '/', so sorting each directory's entries
   * by key and descending in that order yields all files in key order; a directory whose keys all
   * sort at or before {@code after}, or outside the prefix, is skipped unread.
   */
  private static final class Walk {
    private final String keyPrefix;
    private final String after;
    private final int max;
    private final List<BlobInfo> page;

    Walk(String keyPrefix, String after, int max, List<BlobInfo> page) {
      this.keyPrefix = keyPrefix;
      this.after = after;
      this.max = max;
      this.page = page;
    }

    void directory(Path directory, String directoryKey) throws IOException {
      for (Entry entry : sortedEntries(directory, directoryKey)) {
        if (page.size() >= max) {
          return;
        }
        if (entry.directory() && mayHoldWantedKeys(entry.key())) {
          directory(entry.path(), entry.key());
        } else if (!entry.directory() && isWanted(entry.key())) {
          page.add(new BlobInfo(Locations.file(entry.key()), entry.size()));
        }
      }
    }

    private boolean isWanted(String key) {
      return key.startsWith(keyPrefix) && (after == null || key.compareTo(after) > 0);
    }

    private boolean mayHoldWantedKeys(String directoryKey) {
      boolean overlapsPrefix =
          directoryKey.startsWith(keyPrefix) || keyPrefix.startsWith(directoryKey);
      boolean hasKeysAfter =
          after == null || directoryKey.compareTo(after) > 0 || after.startsWith(directoryKey);
      return overlapsPrefix && hasKeysAfter;
    }

    private static List<Entry> sortedEntries(Path directory, String directoryKey)
        throws IOException {
      List<Entry> entries = new ArrayList<>();
      try (DirectoryStream<Path> children = Files.newDirectoryStream(directory)) {
        for (Path child : children) {
          String name = child.getFileName().toString();
          if (name.startsWith(".")) {
            continue;
          }
          BasicFileAttributes attributes;
          try {
            attributes =
                Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
              attributes = Files.readAttributes(child, BasicFileAttributes.class);
              if (attributes.isDirectory()) {
                continue; // a linked directory could lead anywhere, or back to an ancestor
              }
            }
          } catch (NoSuchFileException e) {
            continue; // deleted since the directory was read, or a dangling symbolic link
          }
          if (attributes.isDirectory()) {
            entries.add(new Entry(child, directoryKey + name + "/", true, 0));
          } else if (attributes.isRegularFile()) {
            entries.add(new Entry(child, directoryKey + name, false, attributes.size()));
          }
        }
      } catch (NoSuchFileException | NotDirectoryException e) {
        return List.of();
      }
      entries.sort(Comparator.comparing(Entry::key));
      return entries;
    }
  }

  private record Entry(Path path, String key, boolean directory, long size) {}
}
