package dev.loupe.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Blobs in an S3-compatible bucket, addressed by {@code s3://bucket/key} URIs.
 *
 * <p>Failures surface as {@link IOException}s, as a file system's would: a missing key or bucket as
 * {@link NoSuchFileException}, HTTP 403 as {@link AccessDeniedException}, anything else (transport
 * errors, timeouts, 5xx, throttling) as a plain {@link IOException}. The client does not retry; see
 * {@link S3Clients}. Keys ending in '/' are directory markers that consoles create, not blobs, and
 * are never listed.
 */
public final class S3BlobStore implements BlobStore {
  static final int MAX_KEYS_PER_REQUEST = 1000;

  private final S3Client s3;
  private final int keysPerRequest;

  /**
   * @param s3 the process's one S3 client, built by {@link S3Clients#create}; not closed here
   */
  public S3BlobStore(S3Client s3) {
    this(s3, MAX_KEYS_PER_REQUEST);
  }

  /** For tests of paging: asks for at most {@code keysPerRequest} keys per list request. */
  S3BlobStore(S3Client s3, int keysPerRequest) {
    if (keysPerRequest < 1 || keysPerRequest > MAX_KEYS_PER_REQUEST) {
      throw new IllegalArgumentException("keysPerRequest must be in 1..1000: " + keysPerRequest);
    }
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.keysPerRequest = keysPerRequest;
  }

  @Override
  public InputStream open(URI uri) throws IOException {
    S3Location location = S3Location.parseBlob(uri);
    try {
      return s3.getObject(request -> request.bucket(location.bucket()).key(location.key()));
    } catch (SdkException e) {
      throw failure(uri, e);
    }
  }

  @Override
  public InputStream open(URI uri, long offset) throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must not be negative: " + offset);
    }
    if (offset == 0) {
      return open(uri);
    }
    S3Location location = S3Location.parseBlob(uri);
    try {
      return s3.getObject(
          request ->
              request.bucket(location.bucket()).key(location.key()).range("bytes=" + offset + "-"));
    } catch (S3Exception e) {
      if (e.statusCode() == 416) {
        return InputStream.nullInputStream(); // the offset is the end of the object
      }
      throw failure(uri, e);
    } catch (SdkException e) {
      throw failure(uri, e);
    }
  }

  @Override
  public BlobInfo info(URI uri) throws IOException {
    S3Location location = S3Location.parseBlob(uri);
    try {
      return new BlobInfo(
          uri,
          s3.headObject(request -> request.bucket(location.bucket()).key(location.key()))
              .contentLength());
    } catch (SdkException e) {
      throw failure(uri, e);
    }
  }

  @Override
  public byte[] read(URI uri) throws IOException {
    S3Location location = S3Location.parseBlob(uri);
    try {
      return s3.getObjectAsBytes(request -> request.bucket(location.bucket()).key(location.key()))
          .asByteArray();
    } catch (SdkException e) {
      throw failure(uri, e);
    }
  }

  @Override
  public Optional<byte[]> readIfExists(URI uri) throws IOException {
    S3Location location = S3Location.parseBlob(uri);
    try {
      return Optional.of(
          s3.getObjectAsBytes(request -> request.bucket(location.bucket()).key(location.key()))
              .asByteArray());
    } catch (NoSuchKeyException e) {
      return Optional.empty(); // but a missing bucket is an error, below
    } catch (SdkException e) {
      throw failure(uri, e);
    }
  }

  @Override
  public void write(URI uri, byte[] content) throws IOException {
    S3Location location = S3Location.parseBlob(uri);
    try {
      s3.putObject(
          request -> request.bucket(location.bucket()).key(location.key()),
          RequestBody.fromBytes(content));
    } catch (SdkException e) {
      throw failure(uri, e);
    }
  }

  @Override
  public void upload(URI uri, Path file) throws IOException {
    S3Location location = S3Location.parseBlob(uri);
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "no such file to upload to " + uri);
    }
    try {
      s3.putObject(
          request -> request.bucket(location.bucket()).key(location.key()),
          RequestBody.fromFile(file));
    } catch (SdkException e) {
      throw failure(uri, e);
    }
  }

  @Override
  public void delete(URI uri) throws IOException {
    S3Location location = S3Location.parseBlob(uri);
    try {
      s3.deleteObject(request -> request.bucket(location.bucket()).key(location.key()));
    } catch (SdkException e) {
      throw failure(uri, e);
    }
  }

  @Override
  public boolean exists(URI uri) throws IOException {
    S3Location location = S3Location.parseBlob(uri);
    try {
      s3.headObject(request -> request.bucket(location.bucket()).key(location.key()));
      return true;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw failure(uri, e);
    } catch (SdkException e) {
      throw failure(uri, e);
    }
  }

  @Override
  public List<BlobInfo> list(URI prefix, String startAfter, int max) throws IOException {
    if (max <= 0) {
      throw new IllegalArgumentException("max must be positive: " + max);
    }
    S3Location location = S3Location.parse(prefix);
    String afterKey = startAfter == null ? null : startAfterKey(location, startAfter);
    List<BlobInfo> page = new ArrayList<>();
    String continuationToken = null;
    do {
      ListObjectsV2Request.Builder request =
          ListObjectsV2Request.builder()
              .bucket(location.bucket())
              .maxKeys(Math.min(keysPerRequest, max - page.size()));
      if (!location.key().isEmpty()) {
        request.prefix(location.key());
      }
      if (continuationToken != null) {
        request.continuationToken(continuationToken);
      } else if (afterKey != null) {
        request.startAfter(afterKey);
      }
      ListObjectsV2Response response;
      try {
        response = s3.listObjectsV2(request.build());
      } catch (SdkException e) {
        throw failure(prefix, e);
      }
      for (S3Object object : response.contents()) {
        if (!object.key().endsWith("/") && page.size() < max) {
          page.add(new BlobInfo(location.withKey(object.key()).toUri(), object.size()));
        }
      }
      continuationToken =
          Boolean.TRUE.equals(response.isTruncated()) ? response.nextContinuationToken() : null;
    } while (continuationToken != null && page.size() < max);
    return page;
  }

  private static String startAfterKey(S3Location prefix, String startAfter) {
    S3Location after = S3Location.parse(URI.create(startAfter));
    if (!after.bucket().equals(prefix.bucket())) {
      throw new IllegalArgumentException(
          "startAfter " + startAfter + " is in another bucket than " + prefix.toUri());
    }
    return after.key();
  }

  private static IOException failure(URI uri, SdkException e) {
    IOException failure;
    if (e instanceof NoSuchBucketException) {
      failure = new NoSuchFileException(uri.toString(), null, "no such bucket");
    } else if (e instanceof NoSuchKeyException
        || (e instanceof S3Exception s3 && s3.statusCode() == 404)) {
      failure = new NoSuchFileException(uri.toString(), null, "no such key");
    } else if (e instanceof S3Exception s3 && s3.statusCode() == 403) {
      failure = new AccessDeniedException(uri.toString(), null, errorText(s3));
    } else if (e instanceof S3Exception s3) {
      failure = new IOException(uri + ": S3 answered " + errorText(s3), e);
    } else {
      failure = new IOException(uri + ": S3 request failed: " + e.getMessage(), e);
    }
    if (failure.getCause() == null) {
      failure.initCause(e);
    }
    return failure;
  }

  private static String errorText(S3Exception e) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    return "HTTP " + e.statusCode() + (code == null ? "" : " " + code);
  }
}
