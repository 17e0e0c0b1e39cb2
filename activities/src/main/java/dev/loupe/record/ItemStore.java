package dev.loupe.record;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.image.ContentHash;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.Locations;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Image records under a dataset's output: {@code items/<sha256>.json} for each image, {@code
 * duplicates/<sha256 of uri>.json} for copies of bytes already seen in the run. Writing is
 * idempotent, so a retried persist or a replayed workflow never doubles a sample.
 */
public final class ItemStore {
  static final String ITEMS = "items/";
  static final String DUPLICATES = "duplicates/";
  private static final int PAGE = 1000;

  private final BlobStore blobs;
  private final ObjectMapper json;

  public ItemStore(BlobStore blobs, ObjectMapper recordMapper) {
    this.blobs = blobs;
    this.json = recordMapper;
  }

  public Optional<ItemRecord> read(String output, String sha256) throws IOException {
    Optional<byte[]> bytes = blobs.readIfExists(itemUri(output, sha256));
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(json.readValue(bytes.get(), ItemRecord.class));
  }

  public void write(String output, ItemRecord record) throws IOException {
    blobs.write(itemUri(output, record.id()), json.writeValueAsBytes(record));
  }

  public void writeDuplicate(String output, ItemRecord record) throws IOException {
    String key = ContentHash.sha256Hex(record.image().uri().getBytes(StandardCharsets.UTF_8));
    blobs.write(
        Locations.resolve(Locations.asDirectory(Locations.of(output)), DUPLICATES + key + ".json"),
        json.writeValueAsBytes(record));
  }

  /** Every record, items then duplicates, streamed page by page. */
  public void forEach(String output, RecordConsumer consumer) throws IOException {
    URI root = Locations.asDirectory(Locations.of(output));
    for (String folder : List.of(ITEMS, DUPLICATES)) {
      URI prefix = Locations.resolve(root, folder);
      String after = null;
      while (true) {
        List<BlobStore.BlobInfo> page = blobs.list(prefix, after, PAGE);
        for (BlobStore.BlobInfo blob : page) {
          if (blob.uri().getPath().endsWith(".json")) {
            consumer.accept(json.readValue(blobs.read(blob.uri()), ItemRecord.class));
          }
        }
        if (page.size() < PAGE) {
          break;
        }
        after = page.get(page.size() - 1).uri().toString();
      }
    }
  }

  /** Receives records; may throw I/O errors. */
  @FunctionalInterface
  public interface RecordConsumer {
    void accept(ItemRecord record) throws IOException;
  }

  private static URI itemUri(String output, String sha256) {
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("not a hex SHA-256: " + sha256);
    }
    return Locations.resolve(
        Locations.asDirectory(Locations.of(output)),
        ITEMS + sha256.substring(0, 2) + "/" + sha256 + ".json");
  }
}
