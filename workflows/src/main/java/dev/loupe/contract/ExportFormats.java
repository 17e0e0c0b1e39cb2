package dev.loupe.contract;

import java.util.List;
import java.util.Optional;

/**
 * The training formats an export writes (DESIGN §9 Formats): {@code llava} ({@code llava.json}),
 * {@code sharegpt} ({@code sharegpt.jsonl}), {@code webdataset} (tar shards {@code
 * webdataset/shard-000000.tar}, …) and {@code parquet} (shards {@code
 * parquet/shard-000000.parquet}, … with a dataset card). The first two point at the images where
 * they lie; the shards hold them.
 */
public final class ExportFormats {
  public static final String LLAVA = "llava";
  public static final String SHAREGPT = "sharegpt";
  public static final String WEBDATASET = "webdataset";
  public static final String PARQUET = "parquet";

  /** Every supported format, in the order they are written. */
  public static final List<String> SUPPORTED = List.of(LLAVA, SHAREGPT, WEBDATASET, PARQUET);

  /** What an export writes when nobody asked for formats. */
  public static final List<String> DEFAULT = List.of(LLAVA, SHAREGPT);

  /** The formats that are shards with the images inside. */
  public static final List<String> SHARDED = List.of(WEBDATASET, PARQUET);

  private ExportFormats() {}

  /** The requested formats, or {@link #DEFAULT} when none were given. */
  public static List<String> orDefault(List<String> formats) {
    return formats == null || formats.isEmpty() ? DEFAULT : formats;
  }

  /** The sharded formats among {@code formats}, in {@link #SUPPORTED} order. */
  public static List<String> sharded(List<String> formats) {
    return SHARDED.stream().filter(orDefault(formats)::contains).toList();
  }

  /** A reason naming the supported formats when {@code formats} holds an unknown or blank one. */
  public static Optional<String> problem(List<String> formats) {
    if (formats == null) {
      return Optional.empty();
    }
    for (String format : formats) {
      if (format == null || !SUPPORTED.contains(format)) {
        return Optional.of(
            "unknown format \""
                + format
                + "\"; the supported formats are "
                + String.join(", ", SUPPORTED));
      }
    }
    return Optional.empty();
  }
}
