package dev.loupe.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The store for any location: {@code file://} URIs go to the local store, {@code s3://} URIs to the
 * S3 store, when this process has one.
 */
public final class RoutingBlobStore implements BlobStore {
  private final BlobStore files;
  private final Optional<BlobStore> s3;

  /**
   * @param files serves {@code file://} URIs
   * @param s3 serves {@code s3://} URIs; empty when this process has no S3 configured
   */
  public RoutingBlobStore(BlobStore files, Optional<BlobStore> s3) {
    this.files = Objects.requireNonNull(files, "files");
    this.s3 = Objects.requireNonNull(s3, "s3");
  }

  @Override
  public InputStream open(URI uri) throws IOException {
    return storeFor(uri).open(uri);
  }

  @Override
  public InputStream open(URI uri, long offset) throws IOException {
    return storeFor(uri).open(uri, offset);
  }

  @Override
  public BlobInfo info(URI uri) throws IOException {
    return storeFor(uri).info(uri);
  }

  @Override
  public byte[] read(URI uri) throws IOException {
    return storeFor(uri).read(uri);
  }

  @Override
  public Optional<byte[]> readIfExists(URI uri) throws IOException {
    return storeFor(uri).readIfExists(uri);
  }

  @Override
  public void write(URI uri, byte[] content) throws IOException {
    storeFor(uri).write(uri, content);
  }

  @Override
  public void upload(URI uri, Path file) throws IOException {
    storeFor(uri).upload(uri, file);
  }

  @Override
  public void delete(URI uri) throws IOException {
    storeFor(uri).delete(uri);
  }

  @Override
  public boolean exists(URI uri) throws IOException {
    return storeFor(uri).exists(uri);
  }

  @Override
  public List<BlobInfo> list(URI prefix, String startAfter, int max) throws IOException {
    return storeFor(prefix).list(prefix, startAfter, max);
  }

  private BlobStore storeFor(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    return switch (scheme) {
      case "file" -> files;
      case "s3" ->
          s3.orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "cannot use " + uri + ": no S3 store is configured in this process"));
      default ->
          throw new IllegalArgumentException(
              "unsupported location " + uri + ": only file:// and s3:// URIs are supported");
    };
  }
}
