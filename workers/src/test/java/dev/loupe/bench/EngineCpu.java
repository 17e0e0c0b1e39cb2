package dev.loupe.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU an engine's process group used and was denied (Linux {@code /proc}): CPU time ({@code
 * utime + stime} of each process, exited threads included) and run delay (time its threads were
 * runnable but waited for a CPU, {@code /proc/PID/task/TID/schedstat}, threads alive at the
 * reading). The difference of two readings over a client's run says whether the engine had the same
 * compute under both clients: the same work per caption (CPU seconds per caption) and the same
 * share of its CPUs (run delay per second).
 */
record EngineCpu(long nanos, double cpuSeconds, double runDelaySeconds) {
  private static final double TICKS_PER_SECOND = 100; // USER_HZ on Linux

  /** A reading of process group {@code group} now. */
  static EngineCpu read(long group) {
    double cpu = 0;
    double delay = 0;
    try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path process : proc) {
        try {
          String[] stat = fields(Files.readString(process.resolve("stat")));
          // After the name: stat[0] is field 3; pgrp is field 5, utime 14, stime 15.
          if (!stat[2].equals(Long.toString(group))) {
            continue;
          }
          cpu += (Long.parseLong(stat[11]) + Long.parseLong(stat[12])) / TICKS_PER_SECOND;
          try (DirectoryStream<Path> tasks = Files.newDirectoryStream(process.resolve("task"))) {
            for (Path task : tasks) {
              String[] schedstat = Files.readString(task.resolve("schedstat")).strip().split(" ");
              delay += Long.parseLong(schedstat[1]) / 1e9;
            }
          }
        } catch (IOException | RuntimeException gone) {
          // Exited meanwhile.
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return new EngineCpu(System.nanoTime(), cpu, delay);
  }

  /** CPU seconds per wall second between {@code earlier} and this reading. */
  double coresBusySince(EngineCpu earlier) {
    return (cpuSeconds - earlier.cpuSeconds) / seconds(earlier);
  }

  /** Run-delay seconds per wall second between {@code earlier} and this reading. */
  double runDelaySince(EngineCpu earlier) {
    return (runDelaySeconds - earlier.runDelaySeconds) / seconds(earlier);
  }

  /** Engine CPU seconds per caption between {@code earlier} and this reading. */
  double cpuPerCaptionSince(EngineCpu earlier, long captions) {
    return (cpuSeconds - earlier.cpuSeconds) / captions;
  }

  private double seconds(EngineCpu earlier) {
    return (nanos - earlier.nanos) / 1e9;
  }

  private static String[] fields(String stat) {
    return stat.substring(stat.lastIndexOf(')') + 2).strip().split(" ");
  }
}
