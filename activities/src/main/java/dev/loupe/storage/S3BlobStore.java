package dev.loupe.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.commons.io.input.BoundedInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
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

  /**
   * Files larger than this are uploaded in parts of this size: each request stays well within the
   * client's call timeout, memory holds no part, and the object appears whole when the upload
   * completes (a failed one is aborted, leaving the old object).
   */
  static final long PART_BYTES = 16L * 1024 * 1024;

  /** S3's smallest part but the last. */
  static final long MIN_PART_BYTES = 5L * 1024 * 1024;

  private final S3Client s3;
  private final int keysPerRequest;
  private final long partBytes;

  /**
   * @param s3 the process's one S3 client, built by {@link S3Clients#create}; not closed here
   */
  public S3BlobStore(S3Client s3) {
    this(s3, MAX_KEYS_PER_REQUEST, PART_BYTES);
  }

  /** For tests of paging: asks for at most {@code keysPerRequest} keys per list request. */
  S3BlobStore(S3Client s3, int keysPerRequest) {
    this(s3, keysPerRequest, PART_BYTES);
  }

  /** For tests of multipart uploads: parts of {@code partBytes}. */
  S3BlobStore(S3Client s3, int keysPerRequest, long partBytes) {
    if (keysPerRequest < 1 || keysPerRequest > MAX_KEYS_PER_REQUEST) {
      throw new IllegalArgumentException("keysPerRequest must be in 1..1000: " + keysPerRequest);
    }
    if (partBytes < MIN_PART_BYTES) {
      throw new IllegalArgumentException("partBytes must be at least 5 MiB: " + partBytes);
    }
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.keysPerRequest = keysPerRequest;
    this.partBytes = partBytes;
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
    long size = Files.size(file);
    if (size > partBytes) {
      uploadInParts(uri, location, file, size);
      return;
    }
    try {
      s3.putObject(
          request -> request.bucket(location.bucket()).key(location.key()),
          RequestBody.fromFile(file));
    } catch (SdkException e) {
      throw failure(uri, e);
    }
  }

  /** A multipart upload, streamed from the file part by part; aborted when a part fails. */
  private void uploadInParts(URI uri, S3Location location, Path file, long size)
      throws IOException {
    String uploadId;
    try {
      uploadId =
          s3.createMultipartUpload(request -> request.bucket(location.bucket()).key(location.key()))
              .uploadId();
    } catch (SdkException e) {
      throw failure(uri, e);
    }
    boolean completed = false;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      List<CompletedPart> parts = new ArrayList<>();
      int number = 1;
      for (long offset = 0; offset < size; offset += partBytes, number++) {
        long length = Math.min(partBytes, size - offset);
        InputStream part =
            BoundedInputStream.builder()
                .setInputStream(Channels.newInputStream(channel.position(offset)))
                .setMaxCount(length)
                .setPropagateClose(false)
                .get();
        int partNumber = number;
        String etag =
            s3.uploadPart(
                    request ->
                        request
                            .bucket(location.bucket())
                            .key(location.key())
                            .uploadId(uploadId)
                            .partNumber(partNumber)
                            .contentLength(length),
                    RequestBody.fromInputStream(part, length))
                .eTag();
        parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
      }
      s3.completeMultipartUpload(
          request ->
              request
                  .bucket(location.bucket())
                  .key(location.key())
                  .uploadId(uploadId)
                  .multipartUpload(upload -> upload.parts(parts)));
      completed = true;
    } catch (SdkException e) {
      throw failure(uri, e);
    } finally {
      if (!completed) {
        abort(location, uploadId);
      }
    }
  }

  private void abort(S3Location location, String uploadId) {
    try {
      s3.abortMultipartUpload(
          request -> request.bucket(location.bucket()).key(location.key()).uploadId(uploadId));
    } catch (SdkException ignored) {
      // The upload failed already; an unaborted upload is removed by the bucket's lifecycle rule
      // (or costs its parts' storage until then), and the object itself is unchanged.
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
