package dev.loupe.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where processes may run and where their threads last ran (Linux {@code /proc}), for {@code
 * scripts/bench captioner --engine-cpus/--client-cpus}: pinning, and the check that it held.
 */
final class Placement {
  private Placement() {}

  /**
   * Pins every thread of {@code pid} to {@code cpus} ({@code taskset -a -p -c}); children inherit.
   */
  static void pinAllThreads(long pid, String cpus) throws IOException, InterruptedException {
    Process taskset =
        new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(pid))
            .redirectErrorStream(true)
            .start();
    String output = new String(taskset.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (taskset.waitFor() != 0) {
      throw new IllegalStateException("taskset -a -p -c " + cpus + " " + pid + ": " + output);
    }
    System.err.println(
        "bench: this JVM and what it starts (but the engine) on CPUs "
            + allowed(Path.of("/proc/" + pid)));
  }

  /**
   * Once {@code pid} leads a session of its own (after its {@code setsid}), sets that session's
   * autogroup niceness ({@code /proc/PID/autogroup}) to {@code nice}: where the kernel groups
   * processes by session, CPU time is shared between sessions before niceness applies within one.
   */
  static void niceSession(long pid, String nice) throws IOException {
    Path autogroup = Path.of("/proc/" + pid + "/autogroup");
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!field(pid, 6).equals(Long.toString(pid))) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("process " + pid + " did not start a session");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    if (Files.exists(autogroup)) {
      Files.writeString(autogroup, nice);
      System.err.println("bench: engine session " + Files.readString(autogroup).strip());
    }
  }

  /** Sets the autogroup niceness of this JVM's session (see {@link #niceSession}). */
  static void niceOwnSession(String nice) throws IOException {
    Path autogroup = Path.of("/proc/self/autogroup");
    if (Files.exists(autogroup)) {
      Files.writeString(autogroup, nice);
      System.err.println("bench: this JVM's session " + Files.readString(autogroup).strip());
    }
  }

  /** One line per live process of process group {@code group}. */
  static String group(long group) {
    StringBuilder lines = new StringBuilder();
    for (long pid : processes()) {
      if (field(pid, 5).equals(Long.toString(group))) {
        lines.append(describe(pid)).append('\n');
      }
    }
    return lines.toString();
  }

  /** One line per descendant of {@code pid} outside process group {@code excludedGroup}. */
  static String descendants(long pid, long excludedGroup) {
    StringBuilder lines = new StringBuilder();
    ProcessHandle.of(pid)
        .ifPresent(
            self ->
                self.descendants()
                    .filter(child -> !field(child.pid(), 5).equals(Long.toString(excludedGroup)))
                    .forEach(child -> lines.append(describe(child.pid())).append('\n')));
    return lines.toString();
  }

  /**
   * {@code pid (name): allowed CPUS; threads allowed {CPUS=n}; last ran on {CPU=n}}: the process's
   * affinity, its threads' affinities and the CPU each thread last ran on.
   */
  static String describe(long pid) {
    Path proc = Path.of("/proc/" + pid);
    Map<String, Integer> allowed = new TreeMap<>();
    Map<String, Integer> lastRan = new TreeMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
      for (Path task : tasks) {
        allowed.merge(allowed(task), 1, Integer::sum);
        // Field 39 of stat: the CPU the thread last ran on.
        lastRan.merge(statField(task, 39), 1, Integer::sum);
      }
    } catch (IOException gone) {
      return "  " + pid + ": gone";
    }
    return "  %d (%s): allowed %s; threads allowed %s; last ran on %s"
        .formatted(pid, statField(proc, 2), allowed(proc), allowed, lastRan);
  }

  private static String allowed(Path proc) {
    try {
      for (String line : Files.readAllLines(proc.resolve("status"))) {
        if (line.startsWith("Cpus_allowed_list:")) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    } catch (IOException gone) {
      // Exited meanwhile.
    }
    return "?";
  }

  /** Field {@code n} (1-based) of {@code /proc/PID/stat}; the name (2) may hold spaces. */
  private static String statField(Path proc, int n) {
    try {
      String stat = Files.readString(proc.resolve("stat"));
      int open = stat.indexOf('(');
      int close = stat.lastIndexOf(')');
      if (n == 2) {
        return stat.substring(open + 1, close);
      }
      String[] rest = stat.substring(close + 2).strip().split(" ");
      return rest[n - 3];
    } catch (IOException | RuntimeException gone) {
      return "?";
    }
  }

  private static String field(long pid, int n) {
    return statField(Path.of("/proc/" + pid), n);
  }

  private static List<Long> processes() {
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"))) {
      for (Path entry : proc) {
        String name = entry.getFileName().toString();
        if (name.chars().allMatch(Character::isDigit)) {
          pids.add(Long.parseLong(name));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return pids;
  }
}
