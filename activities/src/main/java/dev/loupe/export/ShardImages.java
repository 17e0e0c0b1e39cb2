package dev.loupe.export;

import dev.loupe.contract.ShardOptions;
import dev.loupe.image.BadImageException;
import dev.loupe.image.ContentHash;
import dev.loupe.image.ImageLimits;
import dev.loupe.image.ImagePreparer;
import dev.loupe.provider.ModelRequest.PreparedImage;
import dev.loupe.record.ItemRecord;
import dev.loupe.source.SourceReader;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.RefusedBlobException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.Locale;

/**
 * The image a shard embeds for a record: read where the run found it, checked against the hash the
 * run recorded (the record's id), and either kept byte for byte or re-encoded within the requested
 * long side. An image that vanished, changed or no longer decodes is a {@link Skipped} reason, not
 * an error: the export leaves its samples out and lists them.
 */
final class ShardImages {
  private final BlobStore blobs;
  private final SourceReader reader;
  private final ImagePreparer preparer = new ImagePreparer(ImageLimits.DEFAULT_MAX_PIXELS);

  /**
   * @param reader reads images within the worker's input roots and byte cap; null reads them
   *     straight from storage (the operator's own {@code loupe export})
   */
  ShardImages(BlobStore blobs, SourceReader reader) {
    this.blobs = blobs;
    this.reader = reader;
  }

  /** An image as a shard holds it: its bytes and the file extension they are stored under. */
  record EmbeddedImage(byte[] bytes, String extension, int width, int height) {}

  /** Why a record's samples are left out. */
  static final class Skipped extends Exception {
    private final String reason;

    Skipped(String reason, String detail) {
      super(detail);
      this.reason = reason;
    }

    /**
     * {@code image_missing}, {@code image_changed}, {@code image_refused} (outside the roots, not a
     * regular file, over the byte cap) or {@code image_unreadable}.
     */
    String reason() {
      return reason;
    }
  }

  /**
   * @throws Skipped when the image is gone, its bytes no longer hash to the record's id, or it no
   *     longer decodes for re-encoding
   * @throws IOException when storage fails (worth retrying)
   */
  EmbeddedImage load(ItemRecord record, ShardOptions options) throws Skipped, IOException {
    String uri = record.image().uri();
    byte[] bytes;
    try {
      bytes = reader == null ? blobs.read(URI.create(uri)) : reader.read(URI.create(uri));
    } catch (NoSuchFileException gone) {
      throw new Skipped("image_missing", "the image " + uri + " no longer exists");
    } catch (RefusedBlobException refused) {
      throw new Skipped("image_refused", refused.getMessage());
    }
    String sha256 = ContentHash.sha256Hex(bytes);
    if (!sha256.equals(record.id())) {
      throw new Skipped(
          "image_changed",
          "the image "
              + uri
              + " changed since the run: its sha256 is "
              + sha256
              + ", the run recorded "
              + record.id());
    }
    if (!options.reencodes()) {
      return new EmbeddedImage(
          bytes,
          extension(record.image().format()),
          dimension(record.image().width()),
          dimension(record.image().height()));
    }
    try {
      PreparedImage fitted =
          preparer.fitLongSide(
              bytes, options.imageLongSide(), options.imageQualityOrDefault() / 100f);
      return new EmbeddedImage(
          fitted.bytes(),
          extension(fitted.mimeType().substring("image/".length())),
          fitted.width(),
          fitted.height());
    } catch (BadImageException e) {
      throw new Skipped("image_unreadable", "the image " + uri + " cannot be re-encoded: " + e);
    }
  }

  private static int dimension(Integer value) {
    return value == null ? 0 : value;
  }

  /**
   * The file extension trainers' decoders expect for a format name ({@code jpeg} → {@code jpg}).
   */
  static String extension(String format) {
    String name = format == null ? "jpeg" : format.toLowerCase(Locale.ROOT);
    return name.equals("jpeg") ? "jpg" : name;
  }
}
