package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param item the image
 * @param output the dataset's output, checked for an already persisted record
 * @param runToken the run's token; a record persisted under the same token makes this image a
 *     duplicate within the run
 * @param minShortSide reject images whose short side is smaller
 * @param maxPixels reject images with more pixels, from the header, before decoding
 * @param nearDuplicateDistance reject an image whose perceptual hash is within this many bits of
 *     one already seen under the output (0: off)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ProbeRequest(
    SourceItem item,
    String output,
    String runToken,
    int minShortSide,
    long maxPixels,
    int nearDuplicateDistance) {

  /** A probe without near-duplicate detection. */
  public ProbeRequest(
      SourceItem item, String output, String runToken, int minShortSide, long maxPixels) {
    this(item, output, runToken, minShortSide, maxPixels, 0);
  }
}
