package dev.loupe.source;

/**
 * How much of a source a worker reads. Each limit keeps one hostile entry from stalling a listing,
 * pinning a thread, or making a payload larger than Temporal takes (2 MB).
 *
 * @param maxImageBytes an image larger than this is rejected from its listed size, unread
 * @param maxLineBytes a manifest line longer than this (in UTF-8 bytes) is rejected, unparsed
 * @param maxAltTextChars a manifest {@code alt_text} longer than this rejects its line
 * @param maxIdChars a manifest {@code id} longer than this rejects its line
 * @param maxLangChars a manifest {@code lang} longer than this rejects its line
 */
public record SourceLimits(
    long maxImageBytes, int maxLineBytes, int maxAltTextChars, int maxIdChars, int maxLangChars) {

  /** The most a manifest line may be set to: a page of listed items must stay well under 2 MB. */
  public static final int MAX_LINE_BYTES = 256 * 1024;

  public static final SourceLimits DEFAULT =
      new SourceLimits(64L * 1024 * 1024, 16 * 1024, 4000, 256, 35);

  public SourceLimits {
    if (maxImageBytes < 1) {
      throw new IllegalArgumentException("maxImageBytes must be positive: " + maxImageBytes);
    }
    if (maxLineBytes < 256 || maxLineBytes > MAX_LINE_BYTES) {
      throw new IllegalArgumentException(
          "maxManifestLineBytes must be within 256.." + MAX_LINE_BYTES + ": " + maxLineBytes);
    }
    if (maxAltTextChars < 1 || maxIdChars < 1 || maxLangChars < 1) {
      throw new IllegalArgumentException(
          "maxAltTextChars, maxIdChars and maxLangChars must be positive");
    }
  }
}
