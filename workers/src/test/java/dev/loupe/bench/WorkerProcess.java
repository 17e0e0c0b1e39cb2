package dev.loupe.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code loupe worker --pool all} process from the packaged jar, as production runs it, with a
 * fixed heap limit and a GC log, so that a benchmark can read its memory: peak resident set size
 * from {@code /proc}, and heap occupancy after each collection from the log.
 */
final class WorkerProcess implements AutoCloseable {
  private static final Pattern AFTER_GC = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

  private final Process process;
  private final Path gcLog;
  private final Path stderr;

  private WorkerProcess(Process process, Path gcLog, Path stderr) {
    this.process = process;
    this.gcLog = gcLog;
    this.stderr = stderr;
  }

  static WorkerProcess start(Path jar, Path workDir, String maxHeap, Map<String, String> env)
      throws IOException {
    Path gcLog = workDir.resolve("worker-gc.log");
    Path stderr = workDir.resolve("worker.err");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx" + maxHeap);
    command.add("-Xlog:gc:file=" + gcLog);
    command.addAll(List.of("-jar", jar.toString(), "worker", "--pool", "all"));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    builder.environment().putAll(env);
    builder.redirectOutput(workDir.resolve("worker.out").toFile());
    builder.redirectError(stderr.toFile());
    return new WorkerProcess(builder.start(), gcLog, stderr);
  }

  /** Waits until the worker says it polls its queues. */
  void awaitPolling(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the worker exited: " + Files.readString(stderr));
      }
      if (Files.readString(stderr, StandardCharsets.UTF_8).contains("worker polling")) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "the worker did not start polling: " + Files.readString(stderr));
  }

  long pid() {
    return process.pid();
  }

  /** Current and peak resident set size in MiB, from /proc. */
  long[] rssMiB() throws IOException {
    long rss = 0;
    long peak = 0;
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = kib(line) / 1024;
      } else if (line.startsWith("VmHWM:")) {
        peak = kib(line) / 1024;
      }
    }
    return new long[] {rss, peak};
  }

  /** Heap occupancy after each collection so far, in MiB, in order. */
  List<Long> heapAfterGcMiB() throws IOException {
    List<Long> after = new ArrayList<>();
    if (!Files.exists(gcLog)) {
      return after;
    }
    for (String line : Files.readAllLines(gcLog)) {
      Matcher matcher = AFTER_GC.matcher(line);
      if (matcher.find()) {
        after.add(Long.parseLong(matcher.group(2)));
      }
    }
    return after;
  }

  /** Asks the worker's JVM for a full collection ({@code jcmd GC.run}); the log records it. */
  void fullGc() throws IOException, InterruptedException {
    Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
    Path jcmd = java.resolveSibling("jcmd");
    Process run =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "GC.run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    run.waitFor(1, TimeUnit.MINUTES);
    Thread.sleep(1000);
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(40, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
