package dev.loupe.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.loupe.storage.BlobStore.BlobInfo;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The {@link BlobStoreContract} against a real S3-compatible server (MinIO on loopback, started by
 * {@code scripts/test}), through the client that production builds.
 */
class S3BlobStoreIT extends BlobStoreContract {
  static final String ENDPOINT_VARIABLE = "LOUPE_TEST_S3_ENDPOINT";

  private static S3Client s3;
  private static String bucket;

  @BeforeAll
  static void createBucket() {
    String endpoint = System.getenv(ENDPOINT_VARIABLE);
    if (endpoint == null || endpoint.isBlank()) {
      fail(
          ENDPOINT_VARIABLE
              + " is not set. Integration tests need a real S3-compatible server: run them with"
              + " scripts/test (which starts one), or export the variables that"
              + " `scripts/test-servers start` writes.");
    }
    s3 = S3Clients.create(S3Settings.compatible(URI.create(endpoint)));
    bucket = "loupe-it-" + UUID.randomUUID();
    s3.createBucket(request -> request.bucket(bucket));
  }

  @AfterAll
  static void deleteBucket() {
    if (s3 == null) {
      return;
    }
    try (S3Client client = s3) {
      for (S3Object object :
          client.listObjectsV2Paginator(request -> request.bucket(bucket)).contents()) {
        client.deleteObject(request -> request.bucket(bucket).key(object.key()));
      }
      client.deleteBucket(request -> request.bucket(bucket));
    }
  }

  @Override
  protected BlobStore store() {
    return new S3BlobStore(s3);
  }

  @Override
  protected URI newRoot() {
    return URI.create("s3://" + bucket + "/" + UUID.randomUUID() + "/");
  }

  @Test
  void listSkipsDirectoryMarkersAcrossManyListRequests() throws IOException {
    URI root = newRoot();
    String rootKey = root.getPath().substring(1);
    for (String marker : new String[] {"", "a/", "a/b/", "c/"}) {
      s3.putObject(request -> request.bucket(bucket).key(rootKey + marker), RequestBody.empty());
    }
    BlobStore store = new S3BlobStore(s3, 2);
    for (String name : new String[] {"a/1", "a/b/2", "a/b/3", "c/4", "d"}) {
      store.write(Locations.resolve(root, name), name.getBytes(UTF_8));
    }

    assertThat(store.list(root, null, 100))
        .extracting(BlobInfo::uri)
        .extracting(uri -> uri.getPath().substring(root.getPath().length()))
        .containsExactly("a/1", "a/b/2", "a/b/3", "c/4", "d");
    assertThat(store.list(root, Locations.resolve(root, "a/b/2").toString(), 2))
        .extracting(BlobInfo::uri)
        .containsExactly(Locations.resolve(root, "a/b/3"), Locations.resolve(root, "c/4"));
  }

  @Test
  void uploadOfALargeFileStoresItWhole() throws IOException {
    byte[] content = new byte[12 * 1024 * 1024];
    new Random(3).nextBytes(content);
    Path file = Files.write(scratch.resolve("large.bin"), content);
    URI blob = Locations.resolve(newRoot(), "large.bin");

    new S3BlobStore(s3).upload(blob, file);

    assertThat(new S3BlobStore(s3).list(blob, null, 1))
        .containsExactly(new BlobInfo(blob, content.length));
    assertThat(new S3BlobStore(s3).read(blob)).isEqualTo(content);
  }

  @Test
  void aFileLargerThanAPartIsUploadedInPartsAndReadsBackWhole() throws IOException {
    byte[] content = new byte[12 * 1024 * 1024 + 7];
    new Random(5).nextBytes(content);
    Path file = Files.write(scratch.resolve("parts.bin"), content);
    URI blob = Locations.resolve(newRoot(), "parts.bin");

    new S3BlobStore(s3, S3BlobStore.MAX_KEYS_PER_REQUEST, S3BlobStore.MIN_PART_BYTES)
        .upload(blob, file);

    S3Location location = S3Location.parseBlob(blob);
    String etag = s3.headObject(h -> h.bucket(location.bucket()).key(location.key())).eTag();
    // A multipart object's ETag ends with its number of parts: 5 + 5 + 2 MiB.
    assertThat(etag).endsWith("-3\"");
    assertThat(new S3BlobStore(s3).read(blob)).isEqualTo(content);
    assertThat(s3.listMultipartUploads(l -> l.bucket(location.bucket())).uploads()).isEmpty();
  }

  @Test
  void missingBucketIsNoSuchFile() {
    URI blob = URI.create("s3://" + bucket + "-missing/a.json");
    S3BlobStore store = new S3BlobStore(s3);

    assertThatThrownBy(() -> store.read(blob))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(blob.toString());
    assertThatThrownBy(() -> store.readIfExists(blob)).isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> store.list(URI.create("s3://" + bucket + "-missing/"), null, 1))
        .isInstanceOf(NoSuchFileException.class);
  }
}
