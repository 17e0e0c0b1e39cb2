package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Optional;

/**
 * How the WebDataset and Parquet shards are cut and what images they hold. Every field is optional.
 *
 * @param maxBytes a shard ends once its samples reach this many bytes (images counted at their
 *     recorded size); {@value #DEFAULT_MAX_BYTES} (about 1 GB) when absent
 * @param maxSamples a shard ends after this many samples; {@value #DEFAULT_MAX_SAMPLES} when absent
 * @param imageLongSide when set, images larger than this on their long side are re-encoded as JPEG
 *     within it (the model's input size); others keep their original bytes. Absent: every image's
 *     original bytes are embedded
 * @param imageQuality the JPEG quality (1..100) of re-encoded images; {@value
 *     #DEFAULT_IMAGE_QUALITY} when absent
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ShardOptions(
    Long maxBytes, Integer maxSamples, Integer imageLongSide, Integer imageQuality) {
  public static final long DEFAULT_MAX_BYTES = 1_000_000_000L;
  public static final int DEFAULT_MAX_SAMPLES = 100_000;
  public static final int DEFAULT_IMAGE_QUALITY = 90;
  public static final int MIN_IMAGE_LONG_SIDE = 64;
  public static final ShardOptions DEFAULT = new ShardOptions(null, null, null, null);

  public long maxBytesOrDefault() {
    return maxBytes == null ? DEFAULT_MAX_BYTES : maxBytes;
  }

  public int maxSamplesOrDefault() {
    return maxSamples == null ? DEFAULT_MAX_SAMPLES : maxSamples;
  }

  public int imageQualityOrDefault() {
    return imageQuality == null ? DEFAULT_IMAGE_QUALITY : imageQuality;
  }

  /** Whether images are re-encoded rather than embedded as their original bytes. */
  public boolean reencodes() {
    return imageLongSide != null;
  }

  public static ShardOptions orDefault(ShardOptions options) {
    return options == null ? DEFAULT : options;
  }

  /** A reason naming the field when a value is out of range. */
  public Optional<String> problem() {
    if (maxBytes != null && maxBytes < 1) {
      return Optional.of("shards.maxBytes must be positive, got " + maxBytes);
    }
    if (maxSamples != null && maxSamples < 1) {
      return Optional.of("shards.maxSamples must be positive, got " + maxSamples);
    }
    if (imageLongSide != null && imageLongSide < MIN_IMAGE_LONG_SIDE) {
      return Optional.of(
          "shards.imageLongSide must be at least "
              + MIN_IMAGE_LONG_SIDE
              + ", got "
              + imageLongSide);
    }
    if (imageQuality != null && (imageQuality < 1 || imageQuality > 100)) {
      return Optional.of("shards.imageQuality must be within 1..100, got " + imageQuality);
    }
    return Optional.empty();
  }
}
