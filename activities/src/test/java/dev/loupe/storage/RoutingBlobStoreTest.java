package dev.loupe.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.storage.BlobStore.BlobInfo;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingBlobStoreTest {
  @TempDir Path directory;

  private final InMemoryBlobStore s3 = new InMemoryBlobStore();
  private final RoutingBlobStore store =
      new RoutingBlobStore(new LocalBlobStore(), Optional.of(s3));

  @Test
  void fileUrisGoToTheLocalFileSystem() throws IOException {
    URI blob = Locations.resolve(Locations.file(directory), "a.txt");

    store.write(blob, "local".getBytes(UTF_8));

    assertThat(directory.resolve("a.txt")).hasContent("local");
    assertThat(store.read(blob)).asString(UTF_8).isEqualTo("local");
    assertThat(store.list(Locations.file(directory), null, 10))
        .containsExactly(new BlobInfo(blob, 5));
    assertThat(s3.list(URI.create("file:///"), null, 10)).isEmpty();
  }

  @Test
  void s3UrisGoToTheS3Store() throws IOException {
    URI blob = URI.create("s3://bucket/run/a.txt");

    store.write(blob, "remote".getBytes(UTF_8));
    store.upload(
        URI.create("s3://bucket/run/b.txt"),
        Files.writeString(directory.resolve("b.txt"), "upload"));

    assertThat(s3.read(blob)).asString(UTF_8).isEqualTo("remote");
    assertThat(store.exists(blob)).isTrue();
    assertThat(store.readIfExists(URI.create("s3://bucket/run/b.txt"))).isPresent();
    assertThat(store.list(URI.create("s3://bucket/run/"), blob.toString(), 10))
        .containsExactly(new BlobInfo(URI.create("s3://bucket/run/b.txt"), 6));
    try (Stream<Path> files = Files.list(directory)) {
      assertThat(files).containsExactly(directory.resolve("b.txt"));
    }
  }

  @Test
  void schemeIsMatchedIgnoringCase() throws IOException {
    store.write(URI.create("S3://bucket/upper.txt"), new byte[] {7});

    assertThat(s3.exists(URI.create("S3://bucket/upper.txt"))).isTrue();
  }

  @Test
  void s3UriWithoutAnS3StoreFailsNamingTheUri() {
    RoutingBlobStore localOnly = new RoutingBlobStore(new LocalBlobStore(), Optional.empty());

    assertThatThrownBy(() -> localOnly.read(URI.create("s3://bucket/a.txt")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("s3://bucket/a.txt")
        .hasMessageContaining("no S3 store is configured");
  }

  @Test
  void otherSchemesFailNamingTheUri() {
    assertThatThrownBy(() -> store.read(URI.create("gs://bucket/a.txt")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gs://bucket/a.txt");
    assertThatThrownBy(() -> store.list(URI.create("relative/dir/"), null, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("relative/dir/");
  }
}
