package dev.loupe.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads an output's shards back with the Python libraries users load them with ({@code webdataset},
 * {@code datasets}, {@code pyarrow}, Pillow), through {@code read_shards.py}. The libraries live in
 * a virtual environment that {@code scripts/export-readers-setup} creates once under the user's
 * cache. Shared with the workers' integration tests.
 */
public final class ExportReaders {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ExportReaders() {}

  /**
   * The readers' report: {@code expected}, {@code skipped}, {@code webdataset} {shards, samples,
   * kinds} and {@code parquet} {shards, rows, pyarrow_rows, row_groups, kinds, configs}.
   *
   * @throws AssertionError naming the mismatch when a reader disagrees with {@code sharegpt.jsonl}
   */
  public static JsonNode read(Path output) throws IOException, InterruptedException {
    Path script = Files.createTempFile("read_shards", ".py");
    try (var in = ExportReaders.class.getResourceAsStream("/export/read_shards.py")) {
      Files.write(script, in.readAllBytes());
    }
    try {
      String result = run(List.of(python(), script.toString(), output.toString()), 600);
      return JSON.readTree(result);
    } finally {
      Files.deleteIfExists(script);
    }
  }

  /** The virtual environment's python, created on first use. */
  static String python() throws IOException, InterruptedException {
    return run(List.of(setupScript().toString()), 900).strip();
  }

  private static Path setupScript() {
    Path here = Path.of("").toAbsolutePath();
    for (Path dir = here; dir != null; dir = dir.getParent()) {
      Path script = dir.resolve("scripts/export-readers-setup");
      if (Files.isExecutable(script)) {
        return script;
      }
    }
    throw new IllegalStateException("scripts/export-readers-setup not found above " + here);
  }

  private static String run(List<String> command, int timeoutSeconds)
      throws IOException, InterruptedException {
    Path stderr = Files.createTempFile("export-readers", ".err");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectError(stderr.toFile())
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .start();
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command + " ran past " + timeoutSeconds + " s");
      }
      if (process.exitValue() != 0) {
        throw new AssertionError(
            command.get(command.size() - 1)
                + " failed: "
                + Files.readString(stderr, StandardCharsets.UTF_8).strip());
      }
      return new String(out, StandardCharsets.UTF_8);
    } finally {
      Files.deleteIfExists(stderr);
    }
  }
}
