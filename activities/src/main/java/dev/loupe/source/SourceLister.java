package dev.loupe.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.ListSourceRequest;
import dev.loupe.contract.SourceItem;
import dev.loupe.contract.SourcePage;
import dev.loupe.image.ContentHash;
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
import java.util.Locale;
import java.util.Set;

/**
 * Reads a source a page at a time: a directory or S3 prefix (image files in key order; the cursor
 * is the last key read) or a JSONL manifest (one {@code {"uri": …}} object per line; the cursor is
 * the number of lines read). Each item is hashed here, since its SHA-256 is its identity.
 */
public final class SourceLister {
  static final Set<String> IMAGE_EXTENSIONS =
      Set.of("jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff");

  private final BlobStore blobs;
  private final ObjectMapper json;

  public SourceLister(BlobStore blobs, ObjectMapper json) {
    this.blobs = blobs;
    this.json = json;
  }

  /** Whether the source is a manifest rather than a directory. */
  public static boolean isManifest(String source) {
    return source.toLowerCase(Locale.ROOT).endsWith(".jsonl");
  }

  public SourcePage list(ListSourceRequest request) throws IOException {
    if (request.pageSize() < 1) {
      return new SourcePage(List.of(), request.cursor(), true);
    }
    return isManifest(request.source()) ? listManifest(request) : listDirectory(request);
  }

  /** Whether the source exists and has at least one entry; for validating requests. */
  public boolean hasAny(String source) throws IOException {
    if (isManifest(source)) {
      return blobs.exists(Locations.of(source));
    }
    return !blobs.list(Locations.asDirectory(Locations.of(source)), null, 1).isEmpty();
  }

  private SourcePage listDirectory(ListSourceRequest request) throws IOException {
    URI prefix = Locations.asDirectory(Locations.of(request.source()));
    List<SourceItem> items = new ArrayList<>();
    String after = request.cursor();
    int fetch = Math.max(request.pageSize(), 100);
    while (items.size() < request.pageSize()) {
      List<BlobStore.BlobInfo> blobsPage = blobs.list(prefix, after, fetch);
      for (BlobStore.BlobInfo blob : blobsPage) {
        after = blob.uri().toString();
        if (isImageName(blob.uri())) {
          items.add(SourceItem.of(blob.uri().toString(), hash(blob.uri()), blob.sizeBytes()));
          if (items.size() == request.pageSize()) {
            return new SourcePage(items, after, false);
          }
        }
      }
      if (blobsPage.size() < fetch) {
        return new SourcePage(items, after, true);
      }
    }
    return new SourcePage(items, after, false);
  }

  private SourcePage listManifest(ListSourceRequest request) throws IOException {
    URI manifest = Locations.of(request.source());
    long skip = request.cursor() == null ? 0 : Long.parseLong(request.cursor());
    List<SourceItem> items = new ArrayList<>();
    long line = 0;
    try (InputStream in = blobs.open(manifest);
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String text;
      while ((text = reader.readLine()) != null) {
        line++;
        if (line <= skip || text.isBlank()) {
          continue;
        }
        items.add(manifestItem(manifest, line, text));
        if (items.size() == request.pageSize()) {
          return new SourcePage(items, Long.toString(line), reader.readLine() == null);
        }
      }
    }
    return new SourcePage(items, Long.toString(line), true);
  }

  private SourceItem manifestItem(URI manifest, long line, String text) throws IOException {
    JsonNode entry;
    try {
      entry = json.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "manifest " + manifest + " line " + line + " is not a JSON object: " + e.getMessage());
    }
    JsonNode uri = entry.get("uri");
    if (uri == null || !uri.isTextual() || uri.asText().isBlank()) {
      throw new IllegalArgumentException(
          "manifest " + manifest + " line " + line + " has no \"uri\"");
    }
    URI image = resolveEntry(manifest, uri.asText());
    long size = -1;
    String sha256 = hash(image);
    return new SourceItem(
        image.toString(),
        sha256,
        size,
        textOrNull(entry, "alt_text"),
        textOrNull(entry, "id"),
        textOrNull(entry, "lang"));
  }

  /**
   * The image's SHA-256. A manifest line naming a missing file still becomes an item (keyed by its
   * URI), so that it ends as a rejected image with a reason instead of failing the listing.
   */
  private String hash(URI uri) throws IOException {
    try (InputStream in = blobs.open(uri)) {
      return ContentHash.sha256Hex(in);
    } catch (java.nio.file.NoSuchFileException missing) {
      return ContentHash.sha256Hex(("missing:" + uri).getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * A manifest's {@code uri}: absolute (a scheme or a leading '/'), or relative to the manifest.
   */
  private static URI resolveEntry(URI manifest, String entry) {
    if (entry.startsWith("/") || entry.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
      return Locations.of(entry);
    }
    String path = manifest.getPath();
    URI directory = manifest.resolve(path.substring(0, path.lastIndexOf('/') + 1));
    return Locations.resolve(directory, entry);
  }

  private static String textOrNull(JsonNode entry, String field) {
    JsonNode value = entry.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  static boolean isImageName(URI uri) {
    String path = uri.getPath() == null ? uri.toString() : uri.getPath();
    int dot = path.lastIndexOf('.');
    return dot >= 0 && IMAGE_EXTENSIONS.contains(path.substring(dot + 1).toLowerCase(Locale.ROOT));
  }
}
