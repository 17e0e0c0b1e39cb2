package dev.loupe.export;

import dev.loupe.contract.ExportFormats;
import dev.loupe.storage.Locations;
import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a sharded export's files lie under the output: the shards ({@code
 * webdataset/shard-000000.tar}, {@code parquet/shard-000000.parquet}), the skipped list and the
 * dataset card at the top, and the export's own bookkeeping under {@code .loupe/export/} (the plan,
 * each shard's input records and each written shard's result).
 */
final class ShardLayout {
  static final String SKIPPED = "export-skipped.jsonl";
  static final String CARD = "README.md";
  static final String STATE = ".loupe/export/";
  static final String PLAN = STATE + "plan.json";
  private static final Pattern SHARD = Pattern.compile("shard-(\\d{6})\\.(tar|parquet)");

  private final URI output;

  ShardLayout(URI output) {
    this.output = Locations.asDirectory(output);
  }

  URI output() {
    return output;
  }

  URI resolve(String name) {
    return Locations.resolve(output, name);
  }

  /** The shard's name relative to the output, e.g. {@code parquet/shard-000012.parquet}. */
  static String shardName(String format, int index) {
    return folder(format) + String.format(Locale.ROOT, "shard-%06d.%s", index, extension(format));
  }

  /** The format's folder relative to the output, e.g. {@code webdataset/}. */
  static String folder(String format) {
    return format + "/";
  }

  /** The shard number in a listed shard name of the format's folder, or -1 for other files. */
  static int indexOf(String fileName) {
    var matcher = SHARD.matcher(fileName);
    return matcher.matches() ? Integer.parseInt(matcher.group(1)) : -1;
  }

  /** The records the plan put in one shard, as JSONL. */
  static String inputName(int index) {
    return STATE + String.format(Locale.ROOT, "shards/shard-%06d.jsonl", index);
  }

  /** What writing one shard of a format gave, with the samples it skipped. */
  static String resultName(String format, int index) {
    return STATE + String.format(Locale.ROOT, "done/%s-%06d.json", format, index);
  }

  private static String extension(String format) {
    return switch (format) {
      case ExportFormats.WEBDATASET -> "tar";
      case ExportFormats.PARQUET -> "parquet";
      default -> throw new IllegalArgumentException("not a sharded format: " + format);
    };
  }
}
