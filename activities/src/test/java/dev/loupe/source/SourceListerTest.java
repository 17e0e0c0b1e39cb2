package dev.loupe.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.ListSourceRequest;
import dev.loupe.contract.SourceItem;
import dev.loupe.contract.SourcePage;
import dev.loupe.image.ContentHash;
import dev.loupe.record.RecordMapper;
import dev.loupe.storage.AllowedRoots;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.LocalBlobStore;
import dev.loupe.storage.Locations;
import dev.loupe.storage.RefusedBlobException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceListerTest {
  private static final ObjectMapper JSON = RecordMapper.create();
  private static final byte[] IMAGE = {1, 2, 3, 4};

  @TempDir Path directory;

  private final OpenRecordingStore blobs = new OpenRecordingStore(new LocalBlobStore());

  private SourceLister lister(List<String> inputRoots, SourceLimits limits) {
    return new SourceLister(
        blobs,
        new SourceReader(blobs, AllowedRoots.of(inputRoots, List.of()), limits.maxImageBytes()),
        limits,
        JSON);
  }

  private SourceLister lister() {
    return lister(List.of(directory.resolve("data").toString()), SourceLimits.DEFAULT);
  }

  @Test
  void hostileManifestEntriesBecomeRefusedItemsAndTheListingGoesOn() throws Exception {
    Path data = Files.createDirectories(directory.resolve("data"));
    Files.write(data.resolve("good.jpg"), IMAGE);
    Files.writeString(directory.resolve("secret.jpg"), "secret");
    Files.createSymbolicLink(data.resolve("escape.jpg"), directory.resolve("secret.jpg"));
    Path fifo = data.resolve("pipe.jpg");
    new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor(10, TimeUnit.SECONDS);
    Path manifest =
        manifest(
            data,
            entry("good.jpg", Map.of("alt_text", "a cat", "id", "g1", "lang", "en")),
            entry("/dev/zero", Map.of()),
            entry("escape.jpg", Map.of()),
            entry("pipe.jpg", Map.of()),
            entry("good.jpg", Map.of("alt_text", "x".repeat(3_000_000))),
            entry("good.jpg", Map.of("alt_text", "y".repeat(5_000))),
            entry("good.jpg", Map.of("id", "i".repeat(300))),
            entry("good.jpg", Map.of("lang", "l".repeat(40))),
            entry("missing.jpg", Map.of()),
            entry("good.jpg", Map.of("id", "last")));

    SourcePage page = lister().list(new ListSourceRequest(manifest.toString(), null, 100));

    List<SourceItem> items = page.items();
    assertThat(page.done()).isTrue();
    assertThat(items).hasSize(10);
    assertThat(items.get(0).refused()).isNull();
    assertThat(items.get(0).sha256()).isEqualTo(ContentHash.sha256Hex(IMAGE));
    assertThat(items.get(0).altText()).isEqualTo("a cat");
    assertRefused(items.get(1), "outside_roots", "file:///dev/zero is outside the input roots");
    assertRefused(items.get(2), "outside_roots", "escape.jpg is outside the input roots");
    assertRefused(items.get(3), "not_a_file", "pipe.jpg is not a regular file");
    assertRefused(items.get(4), "line_too_long", "line 5 is 3,000,");
    assertThat(items.get(4).refused().detail()).contains("limit is 16,384");
    assertThat(items.get(4).uri()).endsWith("manifest.jsonl#line=5");
    assertRefused(
        items.get(5), "field_too_long", "alt_text is 5,000 characters; the limit is 4,000");
    assertThat(items.get(5).altText()).isNull();
    assertRefused(items.get(6), "field_too_long", "id is 300 characters; the limit is 256");
    assertRefused(items.get(7), "field_too_long", "lang is 40 characters; the limit is 35");
    assertThat(items.get(8).refused()).isNull(); // the probe rejects it as missing
    assertThat(items.get(9).refused()).isNull();
    assertThat(items.get(9).id()).isEqualTo("last");
    assertThat(items.stream().map(SourceItem::sha256).distinct()).hasSize(9); // 0 and 9 are one
    assertThat(JSON.writeValueAsBytes(page).length).isLessThan(64 * 1024);
  }

  @Test
  void aDeviceInsideTheRootsIsRefusedAsNotAFile() throws Exception {
    Path data = Files.createDirectories(directory.resolve("data"));
    Path manifest = manifest(data, entry("/dev/zero", Map.of()));

    SourcePage page =
        lister(List.of(data.toString(), "/dev"), SourceLimits.DEFAULT)
            .list(new ListSourceRequest(manifest.toString(), null, 10));

    assertRefused(page.items().get(0), "not_a_file", "file:///dev/zero is not a regular file");
  }

  @Test
  void aDirectoryItemOverTheByteLimitIsRefusedFromItsListedSizeUnread() throws Exception {
    Path data = Files.createDirectories(directory.resolve("data"));
    Files.write(data.resolve("a.jpg"), IMAGE);
    Files.write(data.resolve("b.jpg"), new byte[2_000]);
    SourceLimits limits = new SourceLimits(1_000, 16 * 1024, 4000, 256, 35);

    SourcePage page =
        lister(List.of(data.toString()), limits)
            .list(new ListSourceRequest(Locations.file(data) + "/", null, 10));

    assertThat(page.items().get(0).refused()).isNull();
    assertRefused(page.items().get(1), "too_large", "2,000 bytes; the limit is 1,000 bytes");
    assertThat(blobs.opened).containsExactly(Locations.file(data.resolve("a.jpg")) + "@0");
  }

  @Test
  void eachManifestPageReadsOnFromWhereTheLastEndedNotFromTheTop() throws Exception {
    Path data = Files.createDirectories(directory.resolve("data"));
    Files.write(data.resolve("good.jpg"), IMAGE);
    String[] lines =
        IntStream.range(0, 7)
            .mapToObj(i -> entry("good.jpg", Map.of("id", "n" + i)))
            .toArray(String[]::new);
    Path manifest = manifest(data, lines);
    URI manifestUri = Locations.file(manifest);
    SourceLister lister = lister();

    List<String> ids = new ArrayList<>();
    List<String> cursors = new ArrayList<>();
    String cursor = null;
    boolean done = false;
    while (!done) {
      SourcePage page = lister.list(new ListSourceRequest(manifest.toString(), cursor, 3));
      page.items().forEach(item -> ids.add(item.id()));
      cursor = page.nextCursor();
      cursors.add(cursor);
      done = page.done();
    }

    assertThat(ids).containsExactly("n0", "n1", "n2", "n3", "n4", "n5", "n6");
    long lineBytes = lines[0].getBytes(StandardCharsets.UTF_8).length + 1;
    assertThat(cursors)
        .containsExactly("3@" + 3 * lineBytes, "6@" + 6 * lineBytes, "7@" + 7 * lineBytes);
    assertThat(blobs.opened.stream().filter(open -> open.startsWith(manifestUri.toString())))
        .containsExactly(
            manifestUri + "@0",
            manifestUri + "@" + 3 * lineBytes,
            manifestUri + "@" + 6 * lineBytes);
  }

  @Test
  void aCursorOfOnlyALineCountFromAnOlderWorkerSkipsThatManyLinesOnce() throws Exception {
    Path data = Files.createDirectories(directory.resolve("data"));
    Files.write(data.resolve("good.jpg"), IMAGE);
    Path manifest =
        manifest(
            data,
            entry("good.jpg", Map.of("id", "a")),
            "",
            entry("good.jpg", Map.of("id", "b")),
            entry("good.jpg", Map.of("id", "c")));

    SourcePage page = lister().list(new ListSourceRequest(manifest.toString(), "3", 10));

    assertThat(page.items()).extracting(SourceItem::id).containsExactly("c");
    assertThat(page.done()).isTrue();
  }

  @Test
  void aPageStopsEarlyOnceItsItemsAreLargeSoItFitsATemporalPayload() throws Exception {
    Path data = Files.createDirectories(directory.resolve("data"));
    Files.write(data.resolve("good.jpg"), IMAGE);
    String[] lines =
        IntStream.range(0, 200)
            .mapToObj(i -> entry("good.jpg", Map.of("alt_text", "é".repeat(3_900) + i)))
            .toArray(String[]::new);
    Path manifest = manifest(data, lines);

    SourcePage page = lister().list(new ListSourceRequest(manifest.toString(), null, 200));

    assertThat(page.done()).isFalse();
    assertThat(page.items()).hasSizeBetween(10, 199);
    assertThat(JSON.writeValueAsBytes(page).length).isLessThan(512 * 1024);
  }

  @Test
  void aSourceOutsideTheRootsIsRefusedNamingTheField() {
    assertThatThrownBy(() -> lister().list(new ListSourceRequest("/etc/", null, 10)))
        .isInstanceOf(RefusedBlobException.class)
        .hasMessageStartingWith("source file:///etc/ is outside the input roots");
  }

  @Test
  void aManifestThatIsAPipeIsRefusedUnopened() throws Exception {
    Path data = Files.createDirectories(directory.resolve("data"));
    Path fifo = data.resolve("stream.jsonl");
    new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor(10, TimeUnit.SECONDS);

    assertThatThrownBy(() -> lister().list(new ListSourceRequest(fifo.toString(), null, 10)))
        .isInstanceOf(RefusedBlobException.class)
        .hasMessageContaining("stream.jsonl is not a regular file");
  }

  private static void assertRefused(SourceItem item, String reason, String detailPart) {
    assertThat(item.refused()).as(item.uri()).isNotNull();
    assertThat(item.refused().reason()).isEqualTo(reason);
    assertThat(item.refused().detail()).contains(detailPart);
  }

  private static String entry(String uri, Map<String, String> fields) {
    Map<String, String> entry = new java.util.LinkedHashMap<>();
    entry.put("uri", uri);
    entry.putAll(fields);
    try {
      return JSON.writeValueAsString(entry);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path manifest(Path directory, String... lines) throws IOException {
    return Files.writeString(directory.resolve("manifest.jsonl"), String.join("\n", lines) + "\n");
  }

  /** Records every blob opened, with the offset it was opened at. */
  private static final class OpenRecordingStore implements BlobStore {
    private final BlobStore store;
    final List<String> opened = new ArrayList<>();

    OpenRecordingStore(BlobStore store) {
      this.store = store;
    }

    @Override
    public InputStream open(URI uri) throws IOException {
      opened.add(uri + "@0");
      return store.open(uri);
    }

    @Override
    public InputStream open(URI uri, long offset) throws IOException {
      opened.add(uri + "@" + offset);
      return store.open(uri, offset);
    }

    @Override
    public BlobInfo info(URI uri) throws IOException {
      return store.info(uri);
    }

    @Override
    public byte[] read(URI uri) throws IOException {
      opened.add(uri + "@0");
      return store.read(uri);
    }

    @Override
    public Optional<byte[]> readIfExists(URI uri) throws IOException {
      return store.readIfExists(uri);
    }

    @Override
    public void write(URI uri, byte[] content) throws IOException {
      store.write(uri, content);
    }

    @Override
    public void upload(URI uri, Path file) throws IOException {
      store.upload(uri, file);
    }

    @Override
    public void delete(URI uri) throws IOException {
      store.delete(uri);
    }

    @Override
    public boolean exists(URI uri) throws IOException {
      return store.exists(uri);
    }

    @Override
    public List<BlobInfo> list(URI prefix, String startAfter, int max) throws IOException {
      return store.list(prefix, startAfter, max);
    }
  }
}
