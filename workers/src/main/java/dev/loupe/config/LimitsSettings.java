package dev.loupe.config;

import dev.loupe.image.DecodeBudget;
import dev.loupe.source.SourceLimits;

/**
 * How much of a source a worker reads, and how much memory its full-size decodes may hold (the
 * {@code limits:} section). Absent keys take {@link SourceLimits#DEFAULT}'s values and half the
 * heap for decodes.
 *
 * @param maxImageBytes images larger than this are rejected before they are read
 * @param maxManifestLineBytes manifest lines longer than this are rejected unparsed
 * @param maxAltTextChars a longer {@code alt_text} rejects its manifest line
 * @param maxIdChars a longer {@code id} rejects its manifest line
 * @param maxLangChars a longer {@code lang} rejects its manifest line
 * @param decodeMemoryMb memory that full-size decodes may hold together, in MiB
 */
public record LimitsSettings(
    Long maxImageBytes,
    Integer maxManifestLineBytes,
    Integer maxAltTextChars,
    Integer maxIdChars,
    Integer maxLangChars,
    Integer decodeMemoryMb) {

  public static final LimitsSettings DEFAULT =
      new LimitsSettings(null, null, null, null, null, null);

  public LimitsSettings {
    SourceLimits defaults = SourceLimits.DEFAULT;
    maxImageBytes = maxImageBytes == null ? defaults.maxImageBytes() : maxImageBytes;
    maxManifestLineBytes =
        maxManifestLineBytes == null ? defaults.maxLineBytes() : maxManifestLineBytes;
    maxAltTextChars = maxAltTextChars == null ? defaults.maxAltTextChars() : maxAltTextChars;
    maxIdChars = maxIdChars == null ? defaults.maxIdChars() : maxIdChars;
    maxLangChars = maxLangChars == null ? defaults.maxLangChars() : maxLangChars;
    if (decodeMemoryMb != null && decodeMemoryMb < 1) {
      throw new IllegalArgumentException(
          "limits decodeMemoryMb must be positive: " + decodeMemoryMb);
    }
    sourceLimits(maxImageBytes, maxManifestLineBytes, maxAltTextChars, maxIdChars, maxLangChars);
  }

  /** The source limits, validated. */
  public SourceLimits sourceLimits() {
    return sourceLimits(
        maxImageBytes, maxManifestLineBytes, maxAltTextChars, maxIdChars, maxLangChars);
  }

  /** This worker's decode budget: {@code decodeMemoryMb}, or half the heap. */
  public DecodeBudget decodeBudget() {
    return decodeMemoryMb == null
        ? DecodeBudget.halfOfHeap()
        : new DecodeBudget(decodeMemoryMb * 1024L * 1024L);
  }

  private static SourceLimits sourceLimits(long image, int line, int altText, int id, int lang) {
    try {
      return new SourceLimits(image, line, altText, id, lang);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("limits: " + e.getMessage(), e);
    }
  }
}
