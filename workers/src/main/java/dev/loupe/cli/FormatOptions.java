package dev.loupe.cli;

import dev.loupe.contract.ExportFormats;
import dev.loupe.contract.ShardOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The training formats and shard options, as `loupe export`, `run` and `start` take them. */
final class FormatOptions {
  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      split = ",",
      description =
          "llava, sharegpt, webdataset or parquet; repeatable (default for run/start: llava,"
              + " sharegpt)")
  List<String> formats = new ArrayList<>();

  @Option(
      names = "--shard-max-bytes",
      paramLabel = "BYTES",
      description = "a WebDataset/Parquet shard ends at about this size (default: 1000000000)")
  Long shardMaxBytes;

  @Option(
      names = "--shard-max-samples",
      paramLabel = "N",
      description = "a shard ends after this many samples (default: 100000)")
  Integer shardMaxSamples;

  @Option(
      names = "--image-long-side",
      paramLabel = "PX",
      description =
          "re-encode images larger than this on the long side as JPEG within it (default: embed"
              + " the original bytes)")
  Integer imageLongSide;

  @Option(
      names = "--image-quality",
      paramLabel = "Q",
      description = "JPEG quality 1..100 of re-encoded images (default: 90)")
  Integer imageQuality;

  /**
   * The formats asked for, or null when none were (the request's default applies).
   *
   * @throws UserError naming the supported formats when one is unknown
   */
  List<String> formats() {
    if (formats.isEmpty()) {
      return null;
    }
    ExportFormats.problem(formats)
        .ifPresent(
            problem -> {
              throw new UserError(problem);
            });
    return List.copyOf(new java.util.LinkedHashSet<>(formats));
  }

  /** The shard options, or null when none were given. */
  ShardOptions shards() {
    if (shardMaxBytes == null
        && shardMaxSamples == null
        && imageLongSide == null
        && imageQuality == null) {
      return null;
    }
    ShardOptions options =
        new ShardOptions(shardMaxBytes, shardMaxSamples, imageLongSide, imageQuality);
    options
        .problem()
        .ifPresent(
            problem -> {
              throw new UserError(problem);
            });
    return options;
  }
}
