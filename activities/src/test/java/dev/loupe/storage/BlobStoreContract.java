package dev.loupe.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.storage.BlobStore.BlobInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link BlobStore} does, run against each of them: the local store and the in-memory
 * fake as unit tests, S3 as an integration test against a real S3-compatible server.
 */
abstract class BlobStoreContract {
  /** Written in this order, listed in key order ('-' < '.' < '/' < '0'). */
  private static final List<String> SHUFFLED_NAMES =
      List.of("b.txt", "a/2.txt", "c/d/e.txt", "a0.txt", "a.txt", "a/1.txt", "a-b.txt");

  private static final List<String> NAMES_IN_KEY_ORDER =
      List.of("a-b.txt", "a.txt", "a/1.txt", "a/2.txt", "a0.txt", "b.txt", "c/d/e.txt");

  @TempDir Path scratch;

  private BlobStore store;
  private URI root;

  /** The store under test. */
  protected abstract BlobStore store();

  /** A directory URI (ending in '/') that is empty and used by no other test. */
  protected abstract URI newRoot() throws IOException;

  @BeforeEach
  void setUpStore() throws IOException {
    store = store();
    root = newRoot();
    assertThat(root.getPath()).endsWith("/");
  }

  private URI at(String relativeName) {
    return Locations.resolve(root, relativeName);
  }

  @Test
  void deletedBlobIsGoneAndDeletingAgainIsHarmless() throws IOException {
    store.write(at("gone.txt"), "x".getBytes(UTF_8));
    store.write(at("kept.txt"), "y".getBytes(UTF_8));

    store.delete(at("gone.txt"));
    store.delete(at("gone.txt"));
    store.delete(at("never.txt"));

    assertThat(store.exists(at("gone.txt"))).isFalse();
    assertThat(store.exists(at("kept.txt"))).isTrue();
  }

  @Test
  void writtenBlobReadsBack() throws IOException {
    store.write(at("one.txt"), "first".getBytes(UTF_8));

    assertThat(store.read(at("one.txt"))).asString(UTF_8).isEqualTo("first");
  }

  @Test
  void writeReplacesTheWholeContent() throws IOException {
    store.write(at("one.txt"), "a longer first version".getBytes(UTF_8));
    store.write(at("one.txt"), "second".getBytes(UTF_8));

    assertThat(store.read(at("one.txt"))).asString(UTF_8).isEqualTo("second");
  }

  @Test
  void writeUnderMissingDirectoriesCreatesThem() throws IOException {
    store.write(at("x/y/z/deep.txt"), new byte[] {1, 2, 3});

    assertThat(store.read(at("x/y/z/deep.txt"))).containsExactly(1, 2, 3);
  }

  @Test
  void emptyBlobIsABlob() throws IOException {
    store.write(at("empty"), new byte[0]);

    assertThat(store.exists(at("empty"))).isTrue();
    assertThat(store.read(at("empty"))).isEmpty();
    assertThat(store.list(root, null, 10)).containsExactly(new BlobInfo(at("empty"), 0));
  }

  @Test
  void readOfMissingBlobThrowsNoSuchFileNamingIt() {
    URI missing = at("missing.txt");

    assertThatThrownBy(() -> store.read(missing))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(missing.getPath());
  }

  @Test
  void openOfMissingBlobThrowsNoSuchFile() {
    URI missing = at("missing.txt");

    assertThatThrownBy(
            () -> {
              try (InputStream in = store.open(missing)) {
                in.readAllBytes();
              }
            })
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(missing.getPath());
  }

  @Test
  void readIfExistsIsEmptyUntilWritten() throws IOException {
    assertThat(store.readIfExists(at("later.txt"))).isEmpty();

    store.write(at("later.txt"), "now".getBytes(UTF_8));

    assertThat(store.readIfExists(at("later.txt")))
        .hasValueSatisfying(content -> assertThat(content).asString(UTF_8).isEqualTo("now"));
  }

  @Test
  void existsOnlyForWrittenBlobsNotForTheirDirectories() throws IOException {
    assertThat(store.exists(at("sub/blob.txt"))).isFalse();

    store.write(at("sub/blob.txt"), "x".getBytes(UTF_8));

    assertThat(store.exists(at("sub/blob.txt"))).isTrue();
    assertThat(store.exists(at("sub"))).isFalse();
    assertThat(store.exists(at("sub/blob"))).isFalse();
  }

  @Test
  void openAtAnOffsetStreamsTheRestAndAtTheEndNothing() throws IOException {
    byte[] content = randomBytes(10_000, 3);
    store.write(at("offset.bin"), content);

    try (InputStream in = store.open(at("offset.bin"), 9_000)) {
      assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(content, 9_000, 10_000));
    }
    try (InputStream in = store.open(at("offset.bin"), 10_000)) {
      assertThat(in.readAllBytes()).isEmpty();
    }
  }

  @Test
  void infoGivesTheSizeWithoutReadingAndNoSuchFileWhenAbsent() throws IOException {
    store.write(at("sized.bin"), randomBytes(1234, 4));

    assertThat(store.info(at("sized.bin"))).isEqualTo(new BlobInfo(at("sized.bin"), 1234));
    assertThatThrownBy(() -> store.info(at("absent.bin"))).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void openStreamsTheContent() throws IOException {
    byte[] content = randomBytes(200_000, 1);
    store.write(at("big.bin"), content);

    try (InputStream in = store.open(at("big.bin"))) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
  }

  @Test
  void uploadStoresTheFileContent() throws IOException {
    byte[] content = randomBytes(300_000, 2);
    Path file = Files.write(scratch.resolve("upload.bin"), content);

    store.upload(at("uploaded/file.bin"), file);

    assertThat(store.read(at("uploaded/file.bin"))).isEqualTo(content);
  }

  @Test
  void uploadOfMissingFileThrowsNoSuchFileAndStoresNothing() throws IOException {
    Path missing = scratch.resolve("not-there.bin");

    assertThatThrownBy(() -> store.upload(at("uploaded.bin"), missing))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(missing.toString());
    assertThat(store.exists(at("uploaded.bin"))).isFalse();
  }

  @Test
  void listReturnsAllBlobsUnderThePrefixRecursivelyInKeyOrderWithSizes() throws IOException {
    writeNames(SHUFFLED_NAMES);

    List<BlobInfo> listed = store.list(root, null, 100);

    assertThat(listed)
        .extracting(BlobInfo::uri)
        .containsExactlyElementsOf(uris(NAMES_IN_KEY_ORDER));
    assertThat(listed)
        .extracting(BlobInfo::sizeBytes)
        .containsExactlyElementsOf(
            NAMES_IN_KEY_ORDER.stream().map(name -> (long) name.length()).toList());
  }

  @Test
  void listPagesThroughAllBlobsWithStartAfterAndMax() throws IOException {
    writeNames(SHUFFLED_NAMES);

    List<URI> pagedThrough = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    String startAfter = null;
    while (true) {
      List<BlobInfo> page = store.list(root, startAfter, 3);
      if (page.isEmpty()) {
        break;
      }
      pageSizes.add(page.size());
      page.forEach(blob -> pagedThrough.add(blob.uri()));
      startAfter = page.getLast().uri().toString();
    }

    assertThat(pagedThrough).containsExactlyElementsOf(uris(NAMES_IN_KEY_ORDER));
    assertThat(pageSizes).containsExactly(3, 3, 1);
  }

  @Test
  void listStartsAfterAKeyInsideADirectory() throws IOException {
    writeNames(SHUFFLED_NAMES);

    assertThat(store.list(root, at("a/1.txt").toString(), 100))
        .extracting(BlobInfo::uri)
        .containsExactlyElementsOf(uris(List.of("a/2.txt", "a0.txt", "b.txt", "c/d/e.txt")));
  }

  @Test
  void listWithAPrefixThatIsNotADirectoryMatchesKeysStartingWithIt() throws IOException {
    writeNames(SHUFFLED_NAMES);

    assertThat(store.list(at("a"), null, 100))
        .extracting(BlobInfo::uri)
        .containsExactlyElementsOf(
            uris(List.of("a-b.txt", "a.txt", "a/1.txt", "a/2.txt", "a0.txt")));
  }

  @Test
  void listOfADirectoryExcludesSiblingsWhoseNamesStartTheSame() throws IOException {
    writeNames(List.of("x/1.txt", "xy/2.txt", "x.txt"));

    assertThat(store.list(at("x/"), null, 100))
        .extracting(BlobInfo::uri)
        .containsExactly(at("x/1.txt"));
  }

  @Test
  void listOfAnUnusedPrefixIsEmpty() throws IOException {
    assertThat(store.list(at("nothing/here/"), null, 10)).isEmpty();
  }

  @Test
  void listRejectsANonPositiveMax() {
    assertThatThrownBy(() -> store.list(root, null, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void namesWithSpacesAndNonAsciiCharactersRoundTrip() throws IOException {
    URI odd = at("with space/été #1 %20.txt");
    store.write(odd, "odd".getBytes(UTF_8));

    assertThat(store.list(root, null, 10)).extracting(BlobInfo::uri).containsExactly(odd);
    assertThat(store.read(odd)).asString(UTF_8).isEqualTo("odd");
    assertThat(odd.getPath()).endsWith("/with space/été #1 %20.txt");
  }

  @Test
  void aDirectoryUriIsNotABlob() {
    URI directory = Locations.asDirectory(at("dir"));

    assertThatThrownBy(() -> store.write(directory, new byte[1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(directory.toString());
    assertThatThrownBy(() -> store.read(directory)).isInstanceOf(IllegalArgumentException.class);
  }

  private void writeNames(List<String> names) throws IOException {
    for (String name : names) {
      store.write(at(name), name.getBytes(UTF_8));
    }
  }

  private List<URI> uris(List<String> names) {
    return names.stream().map(this::at).toList();
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
