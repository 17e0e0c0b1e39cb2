package dev.loupe.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.storage.BlobStore.BlobInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBlobStoreTest extends BlobStoreContract {
  private final LocalBlobStore store = new LocalBlobStore();

  @TempDir Path directory;

  @Override
  protected BlobStore store() {
    return store;
  }

  @Override
  protected URI newRoot() {
    return Locations.asDirectory(Locations.file(directory.resolve("root")));
  }

  private URI at(String relativeName) {
    return Locations.resolve(Locations.file(directory), relativeName);
  }

  @Test
  void blobUriIsTheFileUri() throws IOException {
    store.write(at("a/b.txt"), "b".getBytes(UTF_8));

    assertThat(directory.resolve("a/b.txt")).hasContent("b");
    assertThat(at("a/b.txt")).isEqualTo(directory.resolve("a/b.txt").toUri());
  }

  @Test
  void listSkipsHiddenFilesAndEverythingInHiddenDirectories() throws IOException {
    Files.writeString(directory.resolve(".hidden"), "h");
    Files.createDirectories(directory.resolve(".git/objects"));
    Files.writeString(directory.resolve(".git/objects/pack"), "p");
    Files.createDirectories(directory.resolve("images"));
    Files.writeString(directory.resolve("images/.DS_Store"), "d");
    Files.writeString(directory.resolve("images/cat.jpg"), "cat");

    assertThat(store.list(Locations.file(directory), null, 100))
        .containsExactly(new BlobInfo(at("images/cat.jpg"), 3));
  }

  @Test
  void infoRefusesADeviceAndADirectory() {
    assertThatThrownBy(() -> store.info(URI.create("file:///dev/zero")))
        .isInstanceOf(NotRegularFileException.class)
        .hasMessageContaining("/dev/zero")
        .hasMessageContaining("not a regular file");
    assertThatThrownBy(() -> store.info(Locations.file(directory)))
        .isInstanceOf(NotRegularFileException.class);
  }

  @Test
  void listSkipsLinkedDirectoriesButListsLinkedFiles() throws IOException {
    Path elsewhere = Files.createDirectories(directory.resolve("elsewhere"));
    Files.writeString(elsewhere.resolve("secret.jpg"), "s");
    Path images = Files.createDirectories(directory.resolve("images"));
    Files.writeString(images.resolve("cat.jpg"), "cat");
    Files.createSymbolicLink(images.resolve("loop"), images);
    Files.createSymbolicLink(images.resolve("out"), elsewhere);
    Files.createSymbolicLink(images.resolve("z.jpg"), elsewhere.resolve("secret.jpg"));

    assertThat(store.list(Locations.asDirectory(Locations.file(images)), null, 100))
        .containsExactly(
            new BlobInfo(at("images/cat.jpg"), 3), new BlobInfo(at("images/z.jpg"), 1));
  }

  @Test
  void writeLeavesNoTemporaryFileBehind() throws IOException {
    store.write(at("out/run.json"), "{}".getBytes(UTF_8));
    store.write(at("out/run.json"), "{\"v\":2}".getBytes(UTF_8));
    store.upload(at("out/report.html"), Files.writeString(directory.resolve("r.html"), "<p>"));

    try (Stream<Path> files = Files.list(directory.resolve("out"))) {
      assertThat(files.map(file -> file.getFileName().toString()))
          .containsExactlyInAnyOrder("run.json", "report.html");
    }
  }

  @Test
  void failedWriteThrowsAndLeavesNoTemporaryFileBehind() throws IOException {
    Files.createDirectories(directory.resolve("taken/child"));

    assertThatThrownBy(() -> store.write(at("taken"), "x".getBytes(UTF_8)))
        .isInstanceOf(IOException.class);
    try (Stream<Path> files = Files.list(directory)) {
      assertThat(files.map(file -> file.getFileName().toString())).containsExactly("taken");
    }
  }

  @Test
  void readerOfTheOldContentIsUnaffectedByAReplacement() throws IOException {
    store.write(at("blob"), "old content".getBytes(UTF_8));

    try (InputStream reader = store.open(at("blob"))) {
      store.write(at("blob"), "new".getBytes(UTF_8));

      assertThat(reader.readAllBytes()).asString(UTF_8).isEqualTo("old content");
    }
    assertThat(store.read(at("blob"))).asString(UTF_8).isEqualTo("new");
  }

  @Test
  void listOfAFileUriWithoutTrailingSlashFindsTheFileItself() throws IOException {
    store.write(at("only.txt"), "1".getBytes(UTF_8));

    assertThat(store.list(at("only.txt"), null, 10))
        .containsExactly(new BlobInfo(at("only.txt"), 1));
  }

  @Test
  void uriOnAnotherHostOrWithAnotherSchemeIsRejected() {
    assertThatThrownBy(() -> store.read(URI.create("file://server/share/a.txt")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("file://server/share/a.txt");
    assertThatThrownBy(() -> store.read(URI.create("s3://bucket/a.txt")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("s3://bucket/a.txt");
  }
}
