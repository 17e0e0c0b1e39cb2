package dev.loupe.image;

import dev.loupe.provider.ProviderKind;
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

  private static final long MIB = 1024 * 1024;
  private static final Set<String> JPEG_PNG_WEBP = Set.of("image/jpeg", "image/png", "image/webp");

  /**
   * What each provider takes (PROVIDERS.md), with a long side of 2048 px except for Anthropic:
   *
   * <ul>
   *   <li>OpenAI: PNG, JPEG, WEBP and non-animated GIF; GIFs are re-encoded, since an animated one
   *       is refused. 20 MB per image in the oldest published limit. High detail scales to fit
   *       2048×2048, so more pixels only cost upload time.
   *   <li>OpenAI-compatible servers: Ollama decodes only JPEG, PNG and WEBP data URLs.
   *   <li>Gemini: PNG, JPEG, WEBP (HEIC, HEIF, which Loupe does not write); inline data only while
   *       the whole request stays under 20 MB, and base64 adds a third, so 14 MiB per image.
   *   <li>Anthropic: JPEG, PNG, GIF, WEBP; about 5 MB per image, counted here on the base64 text to
   *       be safe (3.75 MiB of bytes); a long side over 1568 px is scaled down by the API anyway,
   *       at a cost in latency.
   * </ul>
   */
  public static ProviderImageLimits forProvider(ProviderKind kind) {
    return switch (kind) {
      case OPENAI, OPENAI_COMPATIBLE -> new ProviderImageLimits(2048, 20 * MIB, JPEG_PNG_WEBP);
      case GEMINI -> new ProviderImageLimits(2048, 14 * MIB, JPEG_PNG_WEBP);
      case ANTHROPIC ->
          new ProviderImageLimits(
              1568, 5 * MIB * 3 / 4, Set.of("image/jpeg", "image/png", "image/gif", "image/webp"));
    };
  }

  /** The same limits with another long side, e.g. from an endpoint's configuration. */
  public ProviderImageLimits withMaxLongSide(int longSide) {
    return new ProviderImageLimits(longSide, maxBytes, acceptedMimeTypes);
  }

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
