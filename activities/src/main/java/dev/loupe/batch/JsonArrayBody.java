package dev.loupe.batch;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;

/**
 * A JSON request body that embeds the lines of a JSONL file as an array, streamed from the file so
 * a batch of hundreds of megabytes is never held in memory: {@code prefix}, the lines (each
 * rewritten by {@code line}) joined by commas, then {@code suffix}.
 */
public final class JsonArrayBody extends RequestBody {
  private static final MediaType JSON = MediaType.get("application/json");

  private final Path lines;
  private final String prefix;
  private final String suffix;
  private final UnaryOperator<String> line;

  public JsonArrayBody(Path lines, String prefix, String suffix, UnaryOperator<String> line) {
    this.lines = lines;
    this.prefix = prefix;
    this.suffix = suffix;
    this.line = line;
  }

  @Override
  public MediaType contentType() {
    return JSON;
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    sink.writeUtf8(prefix);
    try (BufferedReader reader = Files.newBufferedReader(lines, StandardCharsets.UTF_8)) {
      String text;
      boolean first = true;
      while ((text = reader.readLine()) != null) {
        if (text.isBlank()) {
          continue;
        }
        if (!first) {
          sink.writeUtf8(",");
        }
        sink.writeUtf8(line.apply(text));
        first = false;
      }
    }
    sink.writeUtf8(suffix);
  }
}
