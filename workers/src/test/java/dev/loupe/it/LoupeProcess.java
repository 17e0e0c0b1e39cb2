package dev.loupe.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged {@code loupe} jar run as a child process, as users run it. */
final class LoupeProcess {
  static final Path JAR = Path.of("target", "loupe.jar");

  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private LoupeProcess(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Starts {@code java -jar loupe.jar args…} with exactly {@code env} (plus PATH, HOME, and
   * XDG_CACHE_HOME under {@code workDir} unless {@code env} names another).
   */
  static LoupeProcess start(Path workDir, Map<String, String> env, String... args)
      throws IOException {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run `mvn verify`");
    }
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-jar");
    command.add(JAR.toAbsolutePath().toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    Map<String, String> environment = builder.environment();
    String path = System.getenv("PATH");
    environment.clear();
    environment.put("PATH", path == null ? "/usr/bin:/bin" : path);
    environment.put("HOME", System.getProperty("user.home"));
    // A response cache of the test's own, so that no run answers from another test's calls.
    environment.put("XDG_CACHE_HOME", workDir.resolve(".cache").toString());
    environment.putAll(env);
    Path out = Files.createTempFile(workDir, "loupe-", ".out");
    Path err = Files.createTempFile(workDir, "loupe-", ".err");
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    return new LoupeProcess(builder.start(), out, err);
  }

  /** Runs to completion within the timeout; returns the exit code. */
  int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("loupe did not finish within " + timeout + "; stderr:\n" + stderr());
    }
    return process.exitValue();
  }

  Process process() {
    return process;
  }

  String stdout() throws IOException {
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  String stderr() {
    try {
      return Files.readString(stderr, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
