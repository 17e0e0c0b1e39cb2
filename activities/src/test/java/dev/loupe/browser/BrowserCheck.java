package dev.loupe.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the scripts in {@code browser-tests/}: Debian's Chromium, headless, driven by
 * playwright-core from npm ({@code scripts/test} and {@code .ci/run} install both). A script prints
 * one JSON line with what it saw; screenshots go under {@code target/screenshots/}. Shared with the
 * workers' integration tests through this module's test jar.
 */
public final class BrowserCheck {
  public static final Path SCRIPTS = Path.of("..", "browser-tests").toAbsolutePath().normalize();
  public static final Path SCREENSHOTS = Path.of("target", "screenshots").toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();

  private BrowserCheck() {}

  public static JsonNode run(String script, String... args)
      throws IOException, InterruptedException {
    if (!Files.isDirectory(SCRIPTS.resolve("node_modules/playwright-core"))) {
      throw new AssertionError(
          "playwright-core is not installed in "
              + SCRIPTS
              + ": run the tests with scripts/test, which runs `npm ci` there");
    }
    Files.createDirectories(SCREENSHOTS);
    List<String> command = new ArrayList<>(List.of("node", SCRIPTS.resolve(script).toString()));
    command.addAll(List.of(args));
    Path stdout = Files.createTempFile("browser-", ".out");
    Path stderr = Files.createTempFile("browser-", ".err");
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(SCRIPTS.toFile())
              .redirectOutput(stdout.toFile())
              .redirectError(stderr.toFile())
              .start();
      if (!process.waitFor(3, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError(script + " did not finish in 3 minutes: " + read(stderr));
      }
      String out = read(stdout);
      if (process.exitValue() != 0) {
        throw new AssertionError(
            script + " exited " + process.exitValue() + ":\n" + read(stderr) + "\n" + out);
      }
      String[] lines = out.strip().split("\n");
      return JSON.readTree(lines[lines.length - 1]);
    } finally {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
    }
  }

  public static Path screenshot(String name) {
    return SCREENSHOTS.resolve(name);
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
