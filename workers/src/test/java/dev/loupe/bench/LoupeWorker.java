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

/**
 * A {@code loupe worker} process from the packaged jar, as production runs it, with a fixed heap
 * limit: its CPU time and peak memory can be read from {@code /proc}, and it can be killed with
 * SIGKILL mid-run.
 */
public final class LoupeWorker implements AutoCloseable {
  private final Process process;
  private final Path stdout;
  private final Path stderr;
  private final String name;

  private LoupeWorker(Process process, Path stdout, Path stderr, String name) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
    this.name = name;
  }

  /**
   * Starts {@code java -Xmx<maxHeap> -jar <jar> worker --pool <pools> <args…>} with exactly {@code
   * env} plus PATH and HOME, its output in {@code <logDir>/<name>.out|.err}.
   */
  public static LoupeWorker start(
      Path jar,
      Path logDir,
      String name,
      String maxHeap,
      Map<String, String> env,
      String pools,
      String... args)
      throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar.toAbsolutePath() + " is missing: build it with mvn package");
    }
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx" + maxHeap);
    command.add("-XX:+UseSerialGC");
    // Extra JVM options for one benchmark session, e.g. a flight recording to profile the worker.
    String extra = System.getenv("LOUPE_BENCH_WORKER_OPTS");
    if (extra != null && !extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    // Benchmarks measure calls: no response cache answers them.
    command.addAll(
        List.of("-jar", jar.toAbsolutePath().toString(), "worker", "--pool", pools, "--no-cache"));
    command.addAll(List.of(args));
    Files.createDirectories(logDir);
    Path out = logDir.resolve(name + ".out");
    Path err = logDir.resolve(name + ".err");
    ProcessBuilder builder = new ProcessBuilder(command).directory(logDir.toFile());
    Map<String, String> environment = builder.environment();
    String path = System.getenv("PATH");
    environment.clear();
    environment.put("PATH", path == null ? "/usr/bin:/bin" : path);
    environment.put("HOME", System.getProperty("user.home"));
    environment.putAll(env);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
    builder.redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()));
    return new LoupeWorker(builder.start(), out, err, name);
  }

  /** Waits until the worker says it polls its queues. */
  public LoupeWorker awaitPolling(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.readString(stderr, StandardCharsets.UTF_8).contains("worker polling")) {
        return this;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited: " + logs());
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(name + " did not poll within " + timeout + ": " + logs());
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** User + system CPU time so far, in milliseconds. */
  public long cpuMillis() {
    return ProcStats.cpuMillis(process.pid());
  }

  /** Peak resident set size so far, in MiB. */
  public double peakRssMib() {
    return ProcStats.peakRssKib(process.pid()) / 1024.0;
  }

  /**
   * The heap the worker retains: a full collection ({@code jcmd GC.run}), then the used heap
   * ({@code jcmd GC.heap_info}), in MiB; -1 when jcmd is not available.
   */
  public double retainedHeapMib() {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      run(jcmd.toString(), Long.toString(pid()), "GC.run");
      String info = run(jcmd.toString(), Long.toString(pid()), "GC.heap_info");
      // One line per heap or generation: "DefNew total …K, used …K", "Tenured …" (Serial),
      // "garbage-first heap total …K, used …K" (G1); the "… space" lines below them say "% used".
      java.util.regex.Matcher used =
          java.util.regex.Pattern.compile(
                  "(?m)^\\s*[A-Za-z][A-Za-z -]*?\\s+total \\d+K, used (\\d+)K")
              .matcher(info);
      long kib = 0;
      boolean found = false;
      while (used.find()) {
        kib += Long.parseLong(used.group(1));
        found = true;
      }
      return found ? kib / 1024.0 : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * Time the JIT compilers have spent so far ({@code java.ci.totalTime} of {@code jcmd
   * PerfCounter.print}), in milliseconds; -1 when not available. Compilation runs on threads of its
   * own; the counter sums the elapsed time of each compilation, which is about its CPU time when
   * the compiler threads are not preempted, so on a busy machine this reads a little high.
   */
  public long jitMillis() {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      String counters = run(jcmd.toString(), Long.toString(pid()), "PerfCounter.print");
      java.util.regex.Matcher ticks =
          java.util.regex.Pattern.compile("(?m)^java\\.ci\\.totalTime=(\\d+)").matcher(counters);
      java.util.regex.Matcher frequency =
          java.util.regex.Pattern.compile("(?m)^sun\\.os\\.hrt\\.frequency=(\\d+)")
              .matcher(counters);
      if (!ticks.find() || !frequency.find()) {
        return -1;
      }
      return Long.parseLong(ticks.group(1)) * 1000 / Long.parseLong(frequency.group(1));
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor(60, TimeUnit.SECONDS);
    return output;
  }

  /** SIGKILL, as a crash or an OOM killer would: no drain, no hand-back. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Its standard output and error so far. */
  public String logs() {
    try {
      return Files.readString(stdout, StandardCharsets.UTF_8)
          + Files.readString(stderr, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** SIGTERM, then SIGKILL if it has not stopped after the drain. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(45, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
