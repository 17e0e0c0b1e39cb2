package dev.loupe.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and memory of a process from Linux's {@code /proc}: user plus system time from {@code
 * /proc/<pid>/stat}, peak and current resident set size ({@code VmHWM}, {@code VmRSS}) from {@code
 * /proc/<pid>/status}.
 */
public final class ProcStats {
  /** {@code sysconf(_SC_CLK_TCK)}: 100 on every Linux this runs on. */
  private static final double TICKS_PER_SECOND = 100.0;

  private ProcStats() {}

  /** User + system CPU time in milliseconds, or -1 when the process is gone. */
  public static long cpuMillis(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name in parentheses (which may contain spaces).
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      return Math.round(ticks * 1000 / TICKS_PER_SECOND);
    } catch (IOException | RuntimeException gone) {
      return -1;
    }
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
