package dev.loupe.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time and memory of a process from Linux's {@code /proc}: user plus system time from {@code
 * /proc/<pid>/stat} (of the process alone, or with what it started), peak and current resident set
 * size ({@code VmHWM}, {@code VmRSS}) from {@code /proc/<pid>/status}.
 */
public final class ProcStats {
  /** {@code sysconf(_SC_CLK_TCK)}: 100 on every Linux this runs on. */
  private static final double TICKS_PER_SECOND = 100.0;

  private ProcStats() {}

  /** User + system CPU time in milliseconds, or -1 when the process is gone. */
  public static long cpuMillis(long pid) {
    return cpuMillis(pid, false);
  }

  /**
   * CPU time of a process and of everything it started, in milliseconds: its own, that of its
   * children it has waited for ({@code cutime + cstime}), and that of its live descendants, counted
   * the same way. A child that ends between two readings moves from the last term to the second, so
   * the difference of two readings counts it once. -1 when the process is gone.
   */
  public static long treeCpuMillis(long pid) {
    long total = cpuMillis(pid, true);
    if (total < 0) {
      return -1;
    }
    for (ProcessHandle child :
        ProcessHandle.of(pid).map(p -> p.children().toList()).orElse(List.of())) {
      total += Math.max(0, treeCpuMillis(child.pid()));
    }
    return total;
  }

  /**
   * CPU time of the live threads of a process whose name starts with {@code prefix} (e.g. the JVM's
   * {@code C2 CompilerThread}s, named {@code C2 CompilerThre} by Linux), in milliseconds. A thread
   * that has ended is not counted.
   */
  public static long threadsCpuMillis(long pid, String prefix) {
    long total = 0;
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException ended) {
          continue;
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (name.startsWith(prefix)) {
          total += ticksToMillis(stat, false);
        }
      }
    } catch (IOException | RuntimeException gone) {
      return -1;
    }
    return total;
  }

  private static long cpuMillis(long pid, boolean withWaitedForChildren) {
    try {
      return ticksToMillis(
          Files.readString(Path.of("/proc", Long.toString(pid), "stat")), withWaitedForChildren);
    } catch (IOException | RuntimeException gone) {
      return -1;
    }
  }

  private static long ticksToMillis(String stat, boolean withWaitedForChildren) {
    // Fields after the command name in parentheses (which may contain spaces): utime, stime,
    // cutime and cstime are the 14th to 17th fields of the line, 12th to 15th after the name.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    if (withWaitedForChildren) {
      ticks += Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
    }
    return Math.round(ticks * 1000 / TICKS_PER_SECOND);
  }

  /** Peak resident set size in KiB ({@code VmHWM}), or -1 when the process is gone. */
  public static long peakRssKib(long pid) {
    return statusField(pid, "VmHWM:");
  }

  /** Resident set size now in KiB ({@code VmRSS}), or -1 when the process is gone. */
  public static long rssKib(long pid) {
    return statusField(pid, "VmRSS:");
  }

  private static long statusField(long pid, String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(name)) {
          return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
        }
      }
      return -1;
    } catch (IOException | RuntimeException gone) {
      return -1;
    }
  }
}
