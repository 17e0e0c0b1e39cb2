package dev.loupe.export;

import dev.loupe.image.BadImageException;
import dev.loupe.image.ImageLimits;
import dev.loupe.image.ImagePreparer;
import dev.loupe.image.ProviderImageLimits;
import dev.loupe.provider.ModelRequest.PreparedImage;
import dev.loupe.source.SourceReader;
import dev.loupe.storage.RefusedBlobException;
import java.io.IOException;
import java.net.URI;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/**
 * Small JPEG thumbnails as {@code data:} URIs, so that {@code report.html} is one self-contained
 * file. Made only for the report's capped number of examples.
 */
final class Thumbnails {
  private static final long MAX_BYTES = ProviderImageLimits.MIN_MAX_BYTES;

  private final SourceReader images;
  private final ImagePreparer preparer = new ImagePreparer(ImageLimits.DEFAULT_MAX_PIXELS);
  private final ProviderImageLimits limits;

  Thumbnails(SourceReader images, int longSide) {
    this.images = images;
    this.limits = new ProviderImageLimits(longSide, MAX_BYTES, Set.of("image/jpeg"));
  }

  /** The thumbnail of the image at {@code uri}; empty when it cannot be read or decoded. */
  Optional<Thumbnail> of(String uri) {
    if (uri == null) {
      return Optional.empty();
    }
    try {
      PreparedImage image = preparer.prepare(images.read(URI.create(uri)), limits);
      String data =
          "data:"
              + image.mimeType()
              + ";base64,"
              + Base64.getEncoder().encodeToString(image.bytes());
      return Optional.of(new Thumbnail(data, image.width(), image.height()));
    } catch (IOException
        | BadImageException
        | RefusedBlobException
        | IllegalArgumentException unreadable) {
      // The report shows a placeholder; the record already says what is wrong with the image.
      return Optional.empty();
    }
  }

  /** A thumbnail: its {@code data:} URI and size in pixels. */
  record Thumbnail(String dataUri, int width, int height) {}
}
