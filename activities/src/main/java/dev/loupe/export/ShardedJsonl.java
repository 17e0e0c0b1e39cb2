package dev.loupe.export;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A JSONL output written line by line into a local directory: {@code <base>.jsonl} while it is
 * small, {@code <base>-00000.jsonl}, {@code <base>-00001.jsonl}, … once it passes a shard's line or
 * byte bound. An empty output is still written, as an empty {@code <base>.jsonl}.
 */
final class ShardedJsonl implements Closeable {
  private final Path directory;
  private final String base;
  private final long maxLines;
  private final long maxBytes;
  private final List<String> names = new ArrayList<>();
  private Writer writer;
  private long lines;
  private long bytes;

  ShardedJsonl(Path directory, String base, ExportLimits limits) throws IOException {
    this.directory = directory;
    this.base = base;
    this.maxLines = limits.shardMaxLines();
    this.maxBytes = limits.shardMaxBytes();
    openShard();
  }

  /** Whether {@code name} is one of this base's files: plain or a shard. */
  static boolean isFileOf(String base, String name) {
    return Pattern.matches(Pattern.quote(base) + "(-\\d{5})?\\.jsonl", name);
  }

  static String shardName(String base, int index) {
    return String.format(Locale.ROOT, "%s-%05d.jsonl", base, index);
  }

  static String plainName(String base) {
    return base + ".jsonl";
  }

  void write(String json) throws IOException {
    if (lines >= maxLines || bytes >= maxBytes) {
      writer.close();
      openShard();
    }
    writer.write(json);
    writer.write('\n');
    lines++;
    bytes += json.getBytes(StandardCharsets.UTF_8).length + 1;
  }

  /**
   * The files written, in order, by name: a single shard is renamed to the plain name. Call after
   * {@link #close()}.
   */
  List<String> files() throws IOException {
    if (names.size() == 1) {
      Files.move(directory.resolve(names.get(0)), directory.resolve(plainName(base)));
      names.set(0, plainName(base));
    }
    return List.copyOf(names);
  }

  private void openShard() throws IOException {
    String name = shardName(base, names.size());
    names.add(name);
    writer =
        new BufferedWriter(
            Files.newBufferedWriter(directory.resolve(name), StandardCharsets.UTF_8), 1 << 16);
    lines = 0;
    bytes = 0;
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}
