package dev.loupe.image;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What a model provider takes as an image input.
 *
 * @param maxLongSide the larger of width and height, in pixels, after preparation
 * @param maxBytes the encoded size limit
 * @param acceptedMimeTypes lower-case MIME types the provider decodes; must include {@code
 *     image/jpeg} or {@code image/png}, the two formats Loupe encodes
 */
public record ProviderImageLimits(int maxLongSide, long maxBytes, Set<String> acceptedMimeTypes) {
  /** Small enough for any real provider; large enough that a 96-pixel PNG of noise always fits. */
  public static final long MIN_MAX_BYTES = 64 * 1024;

  public static final int MIN_LONG_SIDE = 64;

  public ProviderImageLimits {
    if (maxLongSide < MIN_LONG_SIDE) {
      throw new IllegalArgumentException(
          "maxLongSide must be at least " + MIN_LONG_SIDE + ": " + maxLongSide);
    }
    if (maxBytes < MIN_MAX_BYTES) {
      throw new IllegalArgumentException(
          "maxBytes must be at least " + MIN_MAX_BYTES + ": " + maxBytes);
    }
    Objects.requireNonNull(acceptedMimeTypes, "acceptedMimeTypes");
    acceptedMimeTypes = Set.copyOf(acceptedMimeTypes);
    for (String mimeType : acceptedMimeTypes) {
      if (!mimeType.equals(mimeType.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("MIME types must be lower-case: " + mimeType);
      }
    }
    if (!acceptedMimeTypes.contains("image/jpeg") && !acceptedMimeTypes.contains("image/png")) {
      throw new IllegalArgumentException(
          "acceptedMimeTypes must include image/jpeg or image/png: " + acceptedMimeTypes);
    }
  }

  public boolean accepts(String mimeType) {
    return acceptedMimeTypes.contains(mimeType);
  }
}
