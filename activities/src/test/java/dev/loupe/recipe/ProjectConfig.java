package dev.loupe.recipe;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's own {@code config/} directory, found from the module's working directory. */
public final class ProjectConfig {
  private ProjectConfig() {}

  public static Path directory() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve("config").resolve("recipes");
      if (Files.isDirectory(candidate)) {
        return candidate.getParent();
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("no config/recipes above " + Path.of("").toAbsolutePath());
  }

  public static ConfigFiles files() {
    return new ConfigFiles(directory());
  }
}
