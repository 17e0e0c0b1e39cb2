package dev.loupe.recipe;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads the files users edit ({@code recipes/}, {@code prompts/}, {@code prices.yaml}): from a
 * configuration directory when one is given, otherwise from the copy of {@code config/} built into
 * the jar.
 */
public final class ConfigFiles {
  private static final String BUILT_IN = "loupe-config/";

  private final Path directory;

  /**
   * @param directory the configuration directory, or null to use the built-in copy only
   */
  public ConfigFiles(Path directory) {
    this.directory = directory;
  }

  public static ConfigFiles builtIn() {
    return new ConfigFiles(null);
  }

  /** The file's text, or empty when neither the directory nor the built-in copy has it. */
  public Optional<String> read(String relativePath) throws IOException {
    if (relativePath.contains("..")) {
      throw new IllegalArgumentException(
          "configuration paths stay inside config/: " + relativePath);
    }
    if (directory != null) {
      Path file = directory.resolve(relativePath);
      if (Files.isRegularFile(file)) {
        return Optional.of(Files.readString(file));
      }
    }
    try (InputStream in =
        ConfigFiles.class.getClassLoader().getResourceAsStream(BUILT_IN + relativePath)) {
      if (in == null) {
        return Optional.empty();
      }
      return Optional.of(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** Where files are read from first, for messages. */
  public String describe() {
    return directory == null ? "the built-in config" : directory.toString();
  }
}
