package dev.loupe.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.BlobStore.BlobInfo;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The batch lane's spool in the blob store, under the dataset's output ({@code
 * <output>/.loupe/batch/}), shared by every API worker of an endpoint:
 *
 * <ul>
 *   <li>{@code <endpoint>/pending/<customId>.json}: a waiting line ({@link SpooledLine});
 *   <li>{@code <endpoint>/batches/<seq>/input.jsonl}: the sealed batch's provider input file,
 *       deleted once the batch is delivered or rejected;
 *   <li>{@code <endpoint>/batches/<seq>/lines.jsonl}: its line index (lines without requests),
 *       written last: a batch is sealed once its index exists, and sealing the same seq again
 *       returns it unchanged.
 * </ul>
 */
public final class BatchSpool {
  private static final int PAGE = 1000;

  private final BlobStore blobs;
  private final ObjectMapper json;

  public BatchSpool(BlobStore blobs, ObjectMapper json) {
    this.blobs = blobs;
    this.json = json;
  }

  /** The spool of a dataset's output, e.g. {@code s3://b/run-1/.loupe/batch/}. */
  public static String root(String output) {
    return (output.endsWith("/") ? output : output + "/") + ".loupe/batch/";
  }

  /** Writes (or, for a new attempt of the same call, replaces) a waiting line. */
  public void put(String spool, SpooledLine line) throws IOException {
    blobs.write(pendingUri(spool, line.endpoint(), line.customId()), json.writeValueAsBytes(line));
  }

  /** Waiting lines and their bytes. */
  public Look look(String spool, String endpoint) throws IOException {
    int lines = 0;
    long bytes = 0;
    String after = null;
    while (true) {
      List<BlobInfo> page = blobs.list(pending(spool, endpoint), after, PAGE);
      for (BlobInfo blob : page) {
        lines++;
        bytes += blob.sizeBytes();
        after = blob.uri().toString();
      }
      if (page.size() < PAGE) {
        return new Look(lines, bytes);
      }
    }
  }

  /** Lines waiting and their size. */
  public record Look(int lines, long bytes) {}

  /**
   * A sealed batch: its input file and its lines by custom ID, and the waiting lines that no batch
   * can hold (one line over the byte limit), taken out of the spool for their calls to fail.
   */
  public record Sealed(URI input, Map<String, SpooledLine> lines, List<SpooledLine> oversized) {
    /** The one model the batch's lines ask for; null when it is empty. */
    public String model() {
      return lines.isEmpty() ? null : lines.values().iterator().next().model();
    }

    public boolean empty() {
      return lines.isEmpty();
    }
  }

  /**
   * Seals batch {@code seq}: the first waiting lines (in custom ID order) that fit {@code
   * maxRequests} and {@code maxBytes} of provider input, or the batch sealed before under this seq.
   * Sealed lines leave the pending directory. Empty when nothing waits.
   */
  public Sealed seal(
      String spool, String endpoint, int seq, BatchApi api, int maxRequests, long maxBytes)
      throws IOException {
    Optional<Map<String, SpooledLine>> sealed = index(spool, endpoint, seq);
    if (sealed.isPresent()) {
      removePending(spool, endpoint, sealed.get().keySet());
      return new Sealed(inputUri(spool, endpoint, seq), sealed.get(), List.of());
    }
    Map<String, SpooledLine> lines = new LinkedHashMap<>();
    List<SpooledLine> oversized = new ArrayList<>();
    Path input = Files.createTempFile("loupe-batch-", ".jsonl");
    try {
      long bytes = 0;
      try (OutputStream out = Files.newOutputStream(input)) {
        String after = null;
        String model = null;
        boolean full = false;
        while (!full) {
          List<BlobInfo> page = blobs.list(pending(spool, endpoint), after, PAGE);
          for (BlobInfo blob : page) {
            after = blob.uri().toString();
            Optional<byte[]> entry = blobs.readIfExists(blob.uri());
            if (entry.isEmpty()) {
              continue;
            }
            SpooledLine line = json.readValue(entry.get(), SpooledLine.class);
            if (model == null) {
              model = line.model();
            } else if (!model.equals(line.model())) {
              continue; // a provider batch serves one model: this line waits for the next one
            }
            byte[] encoded = api.line(line.customId(), line.request());
            if (encoded.length + 1 > maxBytes) {
              oversized.add(line.withoutRequest());
              continue;
            }
            if (lines.size() + 1 > maxRequests || bytes + encoded.length + 1 > maxBytes) {
              full = true;
              break;
            }
            out.write(encoded);
            out.write('\n');
            bytes += encoded.length + 1;
            lines.put(line.customId(), line.withoutRequest());
          }
          if (page.size() < PAGE) {
            break;
          }
        }
      }
      if (lines.isEmpty()) {
        removePending(spool, endpoint, oversized.stream().map(SpooledLine::customId).toList());
        return new Sealed(inputUri(spool, endpoint, seq), Map.of(), oversized);
      }
      blobs.upload(inputUri(spool, endpoint, seq), input);
      writeIndex(spool, endpoint, seq, lines.values());
    } finally {
      Files.deleteIfExists(input);
    }
    removePending(spool, endpoint, lines.keySet());
    removePending(spool, endpoint, oversized.stream().map(SpooledLine::customId).toList());
    return new Sealed(inputUri(spool, endpoint, seq), lines, oversized);
  }

  /** A sealed batch's lines by custom ID, if it is sealed. */
  public Optional<Map<String, SpooledLine>> index(String spool, String endpoint, int seq)
      throws IOException {
    Optional<byte[]> index = blobs.readIfExists(indexUri(spool, endpoint, seq));
    if (index.isEmpty()) {
      return Optional.empty();
    }
    Map<String, SpooledLine> lines = new LinkedHashMap<>();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(
                new java.io.ByteArrayInputStream(index.get()), StandardCharsets.UTF_8))) {
      String text;
      while ((text = reader.readLine()) != null) {
        if (!text.isBlank()) {
          SpooledLine line = json.readValue(text, SpooledLine.class);
          lines.put(line.customId(), line);
        }
      }
    }
    return Optional.of(lines);
  }

  /**
   * When a create of batch {@code seq} under {@code key} (one per submission round) was attempted,
   * if one was: a later attempt asks the provider for that batch before creating another.
   */
  public Optional<Instant> createAttempted(String spool, String endpoint, int seq, String key)
      throws IOException {
    return blobs
        .readIfExists(createUri(spool, endpoint, seq, key))
        .map(bytes -> Instant.parse(new String(bytes, StandardCharsets.UTF_8).strip()));
  }

  /** Records, before the request is sent, that batch {@code seq} is being created. */
  public void markCreateAttempt(String spool, String endpoint, int seq, String key, Instant at)
      throws IOException {
    blobs.write(
        createUri(spool, endpoint, seq, key), at.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Copies a sealed batch's input file to a local file for upload. */
  public void download(URI input, Path target) throws IOException {
    try (InputStream in = blobs.open(input)) {
      Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The waiting lines, read one by one (for failing them all). */
  public List<SpooledLine> pendingLines(String spool, String endpoint) throws IOException {
    List<SpooledLine> lines = new ArrayList<>();
    String after = null;
    while (true) {
      List<BlobInfo> page = blobs.list(pending(spool, endpoint), after, PAGE);
      for (BlobInfo blob : page) {
        after = blob.uri().toString();
        Optional<byte[]> entry = blobs.readIfExists(blob.uri());
        if (entry.isPresent()) {
          lines.add(json.readValue(entry.get(), SpooledLine.class).withoutRequest());
        }
      }
      if (page.size() < PAGE) {
        return lines;
      }
    }
  }

  /**
   * Deletes an ended batch's input file (the lines' requests, images included); its line index
   * stays, so a repeated delivery still knows the batch's lines.
   */
  public void discardInput(String spool, String endpoint, int seq) throws IOException {
    blobs.delete(inputUri(spool, endpoint, seq));
  }

  /** Removes a waiting line (after its call was failed). */
  public void removePending(String spool, String endpoint, Iterable<String> customIds)
      throws IOException {
    for (String customId : customIds) {
      blobs.delete(pendingUri(spool, endpoint, customId));
    }
  }

  private void writeIndex(String spool, String endpoint, int seq, Iterable<SpooledLine> lines)
      throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (BufferedWriter writer =
        new BufferedWriter(new OutputStreamWriter(bytes, StandardCharsets.UTF_8))) {
      for (SpooledLine line : lines) {
        writer.write(json.writeValueAsString(line));
        writer.write('\n');
      }
    }
    blobs.write(indexUri(spool, endpoint, seq), bytes.toByteArray());
  }

  private static URI pending(String spool, String endpoint) {
    return URI.create(spool + endpoint + "/pending/");
  }

  private static URI pendingUri(String spool, String endpoint, String customId) {
    return URI.create(spool + endpoint + "/pending/" + customId + ".json");
  }

  private static URI inputUri(String spool, String endpoint, int seq) {
    return URI.create(spool + endpoint + "/batches/" + seq + "/input.jsonl");
  }

  private static URI createUri(String spool, String endpoint, int seq, String key) {
    return URI.create(
        spool
            + endpoint
            + "/batches/"
            + seq
            + "/create-"
            + BatchLineWriter.customId(key, "create"));
  }

  private static URI indexUri(String spool, String endpoint, int seq) {
    return URI.create(spool + endpoint + "/batches/" + seq + "/lines.jsonl");
  }
}
