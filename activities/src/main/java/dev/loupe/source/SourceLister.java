package dev.loupe.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.ListSourceRequest;
import dev.loupe.contract.SourceItem;
import dev.loupe.contract.SourcePage;
import dev.loupe.image.ContentHash;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.Locations;
import dev.loupe.storage.NotRegularFileException;
import dev.loupe.storage.RefusedBlobException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a source a page at a time: a directory or S3 prefix (image files in key order; the cursor
 * is the last key read) or a JSONL manifest (one {@code {"uri": …}} object per line; the cursor is
 * the number of lines read and the byte offset after them, so each page reads on from there). Each
 * item is hashed here, since its SHA-256 is its identity.
 *
 * <p>An entry that breaks a rule (a line or field over its limit, a location outside the worker's
 * input roots, a file that is not regular or too large) becomes a refused item, which the probe
 * rejects with the reason; the listing itself goes on. A page stops early once its items hold about
 * {@value #PAGE_BYTES} bytes, so it stays far below Temporal's payload limit.
 */
public final class SourceLister {
  static final Set<String> IMAGE_EXTENSIONS =
      Set.of("jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff");

  /** A page's items hold about this many bytes at most (Temporal warns at 512 KB). */
  static final int PAGE_BYTES = 256 * 1024;

  private final BlobStore blobs;
  private final SourceReader reader;
  private final SourceLimits limits;
  private final ObjectMapper json;

  public SourceLister(
      BlobStore blobs, SourceReader reader, SourceLimits limits, ObjectMapper json) {
    this.blobs = blobs;
    this.reader = reader;
    this.limits = limits;
    this.json = json;
  }

  /** Whether the source is a manifest rather than a directory. */
  public static boolean isManifest(String source) {
    return source.toLowerCase(Locale.ROOT).endsWith(".jsonl");
  }

  public SourcePage list(ListSourceRequest request) throws IOException, RefusedBlobException {
    if (request.pageSize() < 1) {
      return new SourcePage(List.of(), request.cursor(), true);
    }
    reader.roots().requireInput("source", Locations.of(request.source()));
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
    long pageBytes = 0;
    String after = request.cursor();
    int fetch = Math.max(request.pageSize(), 100);
    while (items.size() < request.pageSize()) {
      List<BlobStore.BlobInfo> blobsPage = blobs.list(prefix, after, fetch);
      for (BlobStore.BlobInfo blob : blobsPage) {
        after = blob.uri().toString();
        if (isImageName(blob.uri())) {
          SourceItem item = hashed(blob.uri(), blob.sizeBytes(), null, null, null);
          items.add(item);
          pageBytes += approximateBytes(item);
          if (items.size() == request.pageSize() || pageBytes >= PAGE_BYTES) {
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

  private SourcePage listManifest(ListSourceRequest request)
      throws IOException, RefusedBlobException {
    URI manifest = Locations.of(request.source());
    try {
      blobs.info(manifest);
    } catch (NotRegularFileException pipeOrDevice) {
      throw RefusedBlobException.notAFile(manifest);
    }
    ManifestCursor cursor = ManifestCursor.parse(request.cursor());
    List<SourceItem> items = new ArrayList<>();
    long pageBytes = 0;
    try (InputStream in = blobs.open(manifest, cursor.offset())) {
      ManifestLines lines =
          cursor.legacy()
              ? new ManifestLines(in, limits.maxLineBytes(), 0, 0)
              : new ManifestLines(in, limits.maxLineBytes(), cursor.lineNumber(), cursor.offset());
      ManifestLines.Line line = cursor.legacy() ? skipLines(lines, cursor.lineNumber()) : null;
      long linesRead = line == null ? cursor.lineNumber() : line.number();
      long offset = line == null ? cursor.offset() : line.endOffset();
      while ((line = lines.next()) != null) {
        linesRead = line.number();
        offset = line.endOffset();
        if (!line.tooLong() && line.text().isBlank()) {
          continue;
        }
        SourceItem item = manifestItem(manifest, line);
        items.add(item);
        pageBytes += approximateBytes(item);
        if (items.size() == request.pageSize() || pageBytes >= PAGE_BYTES) {
          return new SourcePage(
              items, new ManifestCursor(linesRead, offset).toString(), lines.atEnd());
        }
      }
      return new SourcePage(items, new ManifestCursor(linesRead, offset).toString(), true);
    }
  }

  /** Reads past the lines a cursor from before byte offsets counted; the last one, or null. */
  private static ManifestLines.Line skipLines(ManifestLines lines, long count) throws IOException {
    ManifestLines.Line last = null;
    while (last == null || last.number() < count) {
      ManifestLines.Line line = lines.next();
      if (line == null) {
        return last;
      }
      last = line;
    }
    return last;
  }

  private SourceItem manifestItem(URI manifest, ManifestLines.Line line) throws IOException {
    String where = "manifest " + manifest + " line " + line.number();
    if (line.tooLong()) {
      return refused(
          lineUri(manifest, line),
          "line_too_long",
          String.format(
              Locale.ROOT,
              "%s is %,d bytes; the limit is %,d (worker config limits.maxManifestLineBytes)",
              where,
              line.lengthBytes(),
              limits.maxLineBytes()));
    }
    JsonNode entry;
    try {
      entry = json.readTree(line.text());
    } catch (IOException e) {
      throw new IllegalArgumentException(where + " is not a JSON object: " + e.getMessage());
    }
    JsonNode uri = entry == null ? null : entry.get("uri");
    if (uri == null || !uri.isTextual() || uri.asText().isBlank()) {
      throw new IllegalArgumentException(where + " has no \"uri\"");
    }
    URI image;
    try {
      image = resolveEntry(manifest, uri.asText());
    } catch (IllegalArgumentException malformed) {
      return refused(lineUri(manifest, line), "bad_uri", where + ": " + malformed.getMessage());
    }
    String altText = textOrNull(entry, "alt_text");
    String id = textOrNull(entry, "id");
    String lang = textOrNull(entry, "lang");
    String tooLong =
        tooLong("alt_text", altText, limits.maxAltTextChars(), "maxAltTextChars")
            + tooLong("id", id, limits.maxIdChars(), "maxIdChars")
            + tooLong("lang", lang, limits.maxLangChars(), "maxLangChars");
    if (!tooLong.isEmpty()) {
      // Keyed by the line, not the image: another line may name the same image within the limits.
      return SourceItem.refused(
          image.toString(),
          keyOf("refused:", lineUri(manifest, line)),
          "field_too_long",
          where + ":" + tooLong);
    }
    return hashed(image, -1, altText, id, lang);
  }

  private static String tooLong(String field, String value, int max, String setting) {
    if (value == null || value.length() <= max) {
      return "";
    }
    return String.format(
        Locale.ROOT,
        " %s is %,d characters; the limit is %,d (worker config limits.%s).",
        field,
        value.length(),
        max,
        setting);
  }

  /**
   * The item with its SHA-256, or a refused item when the reader will not read it. A location
   * naming a missing file still becomes an item (keyed by its URI), so that it ends as a rejected
   * image with a reason instead of failing the listing.
   */
  private SourceItem hashed(URI image, long listedSize, String altText, String id, String lang)
      throws IOException {
    try {
      if (listedSize >= 0) {
        reader.requireWithinLimit(image, listedSize);
      }
      String sha256 = reader.sha256(image);
      return new SourceItem(image.toString(), sha256, listedSize, altText, id, lang);
    } catch (RefusedBlobException refusal) {
      return refused(image.toString(), refusal.reason(), refusal.getMessage());
    } catch (NoSuchFileException missing) {
      return new SourceItem(
          image.toString(), keyOf("missing:", image.toString()), listedSize, altText, id, lang);
    }
  }

  private static SourceItem refused(String uri, String reason, String detail) {
    return SourceItem.refused(uri, keyOf("refused:", uri), reason, detail);
  }

  private static String keyOf(String kind, String uri) {
    return ContentHash.sha256Hex((kind + uri).getBytes(StandardCharsets.UTF_8));
  }

  /** Where a line that has no usable URI is, for its record: the manifest and the line number. */
  private static String lineUri(URI manifest, ManifestLines.Line line) {
    return manifest + "#line=" + line.number();
  }

  private static long approximateBytes(SourceItem item) {
    long bytes = 160 + item.uri().length();
    for (String text : new String[] {item.altText(), item.id(), item.lang()}) {
      bytes += text == null ? 0 : 3L * text.length();
    }
    return bytes + (item.refused() == null ? 0 : item.refused().detail().length());
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
