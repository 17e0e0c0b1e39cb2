package dev.loupe.export;

/**
 * How large the export's files grow: JSONL files are split into shards ({@code
 * samples-00000.jsonl}, …) past either bound, and the report shows a capped number of examples.
 *
 * @param shardMaxLines lines per JSONL shard
 * @param shardMaxBytes bytes per JSONL shard (a shard ends after the line that crosses it)
 * @param galleryImages accepted images shown in {@code report.html}
 * @param rejectedExamples rejected images and QA pairs shown in {@code report.html}
 * @param thumbnailLongSide the long side of the report's thumbnails, in pixels
 */
public record ExportLimits(
    long shardMaxLines,
    long shardMaxBytes,
    int galleryImages,
    int rejectedExamples,
    int thumbnailLongSide) {

  /** About 100k samples or 256 MiB per shard: small enough to stream, few enough to list. */
  public static final ExportLimits DEFAULT =
      new ExportLimits(100_000, 256L * 1024 * 1024, 48, 24, 224);

  public ExportLimits {
    if (shardMaxLines < 1 || shardMaxBytes < 1) {
      throw new IllegalArgumentException("shard bounds must be positive");
    }
    if (galleryImages < 0 || rejectedExamples < 0) {
      throw new IllegalArgumentException("example counts must not be negative");
    }
    if (thumbnailLongSide < 64 || thumbnailLongSide > 512) {
      throw new IllegalArgumentException(
          "thumbnailLongSide must be within 64..512: " + thumbnailLongSide);
    }
  }
}
