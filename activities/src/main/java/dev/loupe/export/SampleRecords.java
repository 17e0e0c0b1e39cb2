package dev.loupe.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.record.ItemRecord;
import dev.loupe.record.ItemStore.RecordConsumer;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.Locations;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The accepted records of a finished output, read from its {@code samples.jsonl} (or its shards
 * {@code samples-00000.jsonl}, …) in file and line order: the published contract, so an output
 * copied elsewhere reads the same. Streamed line by line.
 */
final class SampleRecords {
  private static final Pattern SAMPLES = Pattern.compile("samples(-\\d+)?\\.jsonl");
  private static final int LIST_PAGE = 1000;

  private final BlobStore blobs;
  private final ObjectMapper json;

  SampleRecords(BlobStore blobs, ObjectMapper recordMapper) {
    this.blobs = blobs;
    this.json = recordMapper;
  }

  /** {@code samples.jsonl} and its shards directly under the output, in name order. */
  List<URI> files(URI output) throws IOException {
    URI directory = Locations.asDirectory(output);
    String base = directory.toString();
    List<URI> files = new ArrayList<>();
    String after = null;
    while (true) {
      List<BlobStore.BlobInfo> page =
          blobs.list(Locations.resolve(directory, "samples"), after, LIST_PAGE);
      for (BlobStore.BlobInfo blob : page) {
        if (SAMPLES.matcher(blob.uri().toString().substring(base.length())).matches()) {
          files.add(blob.uri());
        }
      }
      if (page.size() < LIST_PAGE) {
        return files;
      }
      after = page.get(page.size() - 1).uri().toString();
    }
  }

  /** Every record of the files, in order. */
  void forEach(List<URI> files, RecordConsumer consumer) throws IOException {
    for (URI file : files) {
      forEachLine(file, line -> consumer.accept(json.readValue(line, ItemRecord.class)));
    }
  }

  /** Every non-blank line of a JSONL blob, streamed. */
  void forEachLine(URI file, LineConsumer consumer) throws IOException {
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(blobs.open(file), StandardCharsets.UTF_8), 1 << 16)) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (!line.isBlank()) {
          consumer.accept(line);
        }
      }
    }
  }

  /** Receives lines; may throw I/O errors. */
  @FunctionalInterface
  interface LineConsumer {
    void accept(String line) throws IOException;
  }
}
