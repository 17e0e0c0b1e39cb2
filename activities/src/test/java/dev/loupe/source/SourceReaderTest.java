package dev.loupe.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.image.ContentHash;
import dev.loupe.storage.AllowedRoots;
import dev.loupe.storage.LocalBlobStore;
import dev.loupe.storage.Locations;
import dev.loupe.storage.RefusedBlobException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceReaderTest {
  @TempDir Path directory;

  private SourceReader reader(long maxBytes, String... inputRoots) {
    return new SourceReader(
        new LocalBlobStore(), AllowedRoots.of(List.of(inputRoots), List.of()), maxBytes);
  }

  @Test
  void readsAndHashesARegularFileWithinTheRootsAndLimit() throws Exception {
    Path image = Files.write(directory.resolve("cat.jpg"), new byte[] {1, 2, 3});
    SourceReader reader = reader(3, directory.toString());

    assertThat(reader.read(Locations.file(image))).containsExactly(1, 2, 3);
    assertThat(reader.sha256(Locations.file(image)))
        .isEqualTo(ContentHash.sha256Hex(new byte[] {1, 2, 3}));
  }

  @Test
  void aDeviceIsRefusedAsNotAFileWithoutReadingIt() {
    SourceReader reader = reader(1 << 20, "/dev");

    assertThatThrownBy(() -> reader.read(URI.create("file:///dev/zero")))
        .isInstanceOf(RefusedBlobException.class)
        .hasMessageContaining("file:///dev/zero is not a regular file")
        .extracting(e -> ((RefusedBlobException) e).reason())
        .isEqualTo(RefusedBlobException.NOT_A_FILE);
    assertThatThrownBy(() -> reader.sha256(URI.create("file:///dev/urandom")))
        .isInstanceOf(RefusedBlobException.class);
  }

  @Test
  void aFileOverTheByteLimitIsRefusedBySizeNamingTheSetting() throws Exception {
    Path big = Files.write(directory.resolve("big.png"), new byte[1001]);
    SourceReader reader = reader(1000, directory.toString());

    assertThatThrownBy(() -> reader.read(Locations.file(big)))
        .isInstanceOf(RefusedBlobException.class)
        .hasMessageContaining("is 1,001 bytes; the limit is 1,000 bytes")
        .hasMessageContaining("limits.maxImageBytes");
    assertThatThrownBy(() -> reader.requireWithinLimit(Locations.file(big), 5_000_000_000L))
        .isInstanceOf(RefusedBlobException.class);
  }

  @Test
  void aLinkOutOfTheRootsIsRefused() throws Exception {
    Path root = Files.createDirectories(directory.resolve("root"));
    Path secret = Files.writeString(directory.resolve("secret.jpg"), "s");
    Path link = Files.createSymbolicLink(root.resolve("cat.jpg"), secret);

    assertThatThrownBy(() -> reader(1000, root.toString()).read(Locations.file(link)))
        .isInstanceOf(RefusedBlobException.class)
        .extracting(e -> ((RefusedBlobException) e).reason())
        .isEqualTo(RefusedBlobException.OUTSIDE_ROOTS);
  }
}
