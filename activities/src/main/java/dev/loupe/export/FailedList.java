package dev.loupe.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.ListFailedRequest;
import dev.loupe.contract.SourceItem;
import dev.loupe.contract.SourcePage;
import dev.loupe.record.ItemRecord;
import dev.loupe.record.ItemStore;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.Locations;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pages through a dataset's failed images for a {@code retryFailed} round. The last export listed
 * them in {@code failed.jsonl} (or its shards), so a round reads that list, not every record: its
 * cost grows with the failures, not with the dataset. Each listed image's record is read again and
 * the image skipped when it is no longer failed; the source item is rebuilt from the record.
 *
 * <p>The cursor is {@code <file>:<lines read in it>}.
 */
public final class FailedList {
  private final BlobStore blobs;
  private final ItemStore items;
  private final ObjectMapper json;

  public FailedList(BlobStore blobs, ItemStore items, ObjectMapper recordMapper) {
    this.blobs = blobs;
    this.items = items;
    this.json = recordMapper;
  }

  public SourcePage page(ListFailedRequest request) throws IOException {
    URI output = Locations.asDirectory(Locations.of(request.output()));
    List<String> files = failedFiles(output);
    String file = files.isEmpty() ? null : files.get(0);
    long skip = 0;
    if (request.cursor() != null) {
      int colon = request.cursor().lastIndexOf(':');
      file = request.cursor().substring(0, colon);
      skip = Long.parseLong(request.cursor().substring(colon + 1));
    }
    List<SourceItem> page = new ArrayList<>();
    while (file != null) {
      long read = readInto(Locations.resolve(output, file), skip, request, page);
      if (page.size() >= request.pageSize()) {
        return new SourcePage(page, file + ":" + read, false);
      }
      int next = files.indexOf(file) + 1;
      file = next > 0 && next < files.size() ? files.get(next) : null;
      skip = 0;
    }
    return new SourcePage(page, request.cursor(), true);
  }

  /** Reads lines after {@code skip} until the page is full; returns the lines read in the file. */
  private long readInto(URI file, long skip, ListFailedRequest request, List<SourceItem> page)
      throws IOException {
    long line = 0;
    try (InputStream in = blobs.open(file);
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String text;
      while (page.size() < request.pageSize() && (text = reader.readLine()) != null) {
        line++;
        if (line <= skip || text.isBlank()) {
          continue;
        }
        JsonNode entry = json.readTree(text);
        String id = entry.path("id").asText(null);
        if (id != null) {
          stillFailed(request.output(), id).ifPresent(page::add);
        }
      }
    } catch (java.nio.file.NoSuchFileException gone) {
      // A later export replaced the shards: nothing more to read in this one.
    }
    return line;
  }

  private Optional<SourceItem> stillFailed(String output, String id) throws IOException {
    Optional<ItemRecord> record = items.read(output, id);
    if (record.isEmpty()
        || record.get().imageStatus() != ImageStatus.FAILED
        || record.get().image() == null) {
      return Optional.empty();
    }
    ItemRecord failed = record.get();
    ItemRecord.Provenance provenance = failed.provenance();
    Long size = failed.image().sizeBytes();
    return Optional.of(
        new SourceItem(
            failed.image().uri(),
            failed.id(),
            size == null ? -1 : size,
            provenance == null ? null : provenance.altText(),
            provenance == null ? null : provenance.sourceId(),
            provenance == null ? null : provenance.lang()));
  }

  /** {@code failed.jsonl} or its shards, in order. */
  private List<String> failedFiles(URI output) throws IOException {
    List<String> names = new ArrayList<>();
    String after = null;
    while (true) {
      List<BlobStore.BlobInfo> listed =
          blobs.list(Locations.resolve(output, Exporter.FAILED_BASE), after, 1000);
      for (BlobStore.BlobInfo blob : listed) {
        String name = blob.uri().toString().substring(output.toString().length());
        if (ShardedJsonl.isFileOf(Exporter.FAILED_BASE, name)) {
          names.add(name);
        }
      }
      if (listed.size() < 1000) {
        return names;
      }
      after = listed.get(listed.size() - 1).uri().toString();
    }
  }
}
