package dev.loupe.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a process group leaves on a Linux host, read from {@code /proc}: for tests that a killed
 * model server leaves no engine process and no listening port behind.
 */
final class ProcessGroups {
  private ProcessGroups() {}

  /**
   * The live processes of group {@code pgid} as "PID COMMAND" lines. Zombies are left out: they
   * hold no memory or port, and where PID 1 does not reap orphans (some containers) they stay.
   */
  static List<String> liveMembers(long pgid) {
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      return entries
          .filter(path -> path.getFileName().toString().chars().allMatch(Character::isDigit))
          .map(ProcessGroups::stat)
          .filter(fields -> fields.length > 2 && Long.parseLong(fields[2]) == pgid)
          .filter(fields -> !fields[1].equals("Z"))
          .map(fields -> fields[0])
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until group {@code pgid} has no live process; returns what is left otherwise. */
  static List<String> awaitEmpty(long pgid, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> left = liveMembers(pgid);
    while (!left.isEmpty() && System.nanoTime() - deadline < 0) {
      Thread.sleep(200);
      left = liveMembers(pgid);
    }
    return left;
  }

  static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** "PID (COMMAND)", state, ppid, pgrp, …; empty when the process is gone. */
  private static String[] stat(Path proc) {
    try {
      String stat = Files.readString(proc.resolve("stat"));
      int close = stat.lastIndexOf(')');
      String[] rest = stat.substring(close + 2).split(" ");
      return new String[] {stat.substring(0, close + 1), rest[0], rest[2]};
    } catch (IOException | RuntimeException e) {
      return new String[0];
    }
  }
}
