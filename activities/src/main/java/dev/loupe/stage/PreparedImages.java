package dev.loupe.stage;

import dev.loupe.contract.ImageInfo;
import dev.loupe.image.BadImageException;
import dev.loupe.image.ImagePreparer;
import dev.loupe.image.ProviderImageLimits;
import dev.loupe.provider.ModelRequest.PreparedImage;
import dev.loupe.source.SourceReader;
import dev.loupe.storage.RefusedBlobException;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads an image from storage and prepares it for a provider, keeping the last few prepared images:
 * the stages of one image usually run on the same worker one after another, and reading and
 * re-encoding it for each would cost more than the bookkeeping.
 */
public final class PreparedImages {
  private final SourceReader images;
  private final ImagePreparer preparer;
  private final Map<String, PreparedImage> recent;

  public PreparedImages(SourceReader images, ImagePreparer preparer, int capacity) {
    this.images = images;
    this.preparer = preparer;
    this.recent =
        new LinkedHashMap<>(capacity, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, PreparedImage> eldest) {
            return size() > capacity;
          }
        };
  }

  public PreparedImage load(ImageInfo image, ProviderImageLimits limits)
      throws IOException, BadImageException {
    String key = image.sha256() + "/" + limits;
    synchronized (recent) {
      PreparedImage cached = recent.get(key);
      if (cached != null) {
        return cached;
      }
    }
    byte[] bytes;
    try {
      bytes = images.read(URI.create(image.uri()));
    } catch (RefusedBlobException refusal) {
      throw new BadImageException(refusal.reason(), refusal.getMessage());
    }
    PreparedImage prepared = preparer.prepare(bytes, limits);
    synchronized (recent) {
      recent.put(key, prepared);
    }
    return prepared;
  }
}
