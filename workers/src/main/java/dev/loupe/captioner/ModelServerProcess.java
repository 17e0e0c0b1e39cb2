package dev.loupe.captioner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A model server started from a command line as a child process, in a session and process group of
 * its own ({@code setsid /bin/sh -c "exec <cmd>"}: shell quoting works, and the group's leader is
 * the server itself), with a temporary directory of its own as {@code TMPDIR}.
 *
 * <p>The group is what gets stopped. vLLM runs as several processes (API server, {@code
 * EngineCore}, its worker, multiprocessing's resource tracker); a SIGKILL of the API server leaves
 * the others running with the model and KV cache in memory, reparented to init, where the API
 * server's descendants can no longer be found. Every process of the group can (Linux: by the group
 * id in {@code /proc/PID/stat}), so {@link #stop} signals all of them and deletes the {@code
 * /dev/shm} segments they mapped and the temporary directory. Where {@code setsid} or {@code /proc}
 * is missing, the server's descendants are stopped instead.
 *
 * <p>Its output is copied line by line to the worker's standard error; the last {@value
 * #KEPT_LINES} lines are kept for messages about a server that would not start.
 */
final class ModelServerProcess {
  static final int KEPT_LINES = 25;
  private static final long STOP_GRACE_SECONDS = 20;
  private static final long KILL_WAIT_SECONDS = 10;
  private static final Path PROC = Path.of("/proc");
  private static final List<Path> SETSID =
      List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

  private final Process process;
  private final long group;
  private final Path temporaryDirectory;
  private final Deque<String> lastLines = new ArrayDeque<>();
  private final Thread copier;
  private final Set<Path> sharedMemory = new TreeSet<>();

  private ModelServerProcess(Process process, long group, Path temporaryDirectory) {
    this.process = process;
    this.group = group;
    this.temporaryDirectory = temporaryDirectory;
    this.copier =
        Thread.ofPlatform()
            .daemon()
            .name("loupe-model-server-output")
            .start(() -> copyOutput(System.err));
  }

  static ModelServerProcess start(String commandLine) throws IOException {
    List<String> command = new ArrayList<>();
    Path setsid = SETSID.stream().filter(Files::isExecutable).findFirst().orElse(null);
    boolean ownGroup = setsid != null && Files.isDirectory(PROC);
    if (ownGroup) {
      command.add(setsid.toString());
    }
    command.addAll(List.of("/bin/sh", "-c", "exec " + commandLine));
    // Short: servers make Unix sockets in it (vLLM's ZeroMQ), whose paths are limited to 107 bytes.
    Path temporary = Files.createTempDirectory(Path.of("/tmp"), "loupe-model.");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("TMPDIR", temporary.toString());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      deleteTree(temporary);
      throw e;
    }
    return new ModelServerProcess(process, ownGroup ? awaitOwnGroup(process) : -1, temporary);
  }

  /**
   * The JVM's children lead no group, so setsid makes the new session without forking: the server's
   * pid becomes the group's id once setsid has run, a moment after the start. Checked, not assumed;
   * -1 when it does not happen.
   */
  private static long awaitOwnGroup(Process process) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (process.isAlive() && System.nanoTime() - deadline < 0) {
      if (groupOf(process.pid()) == process.pid()) {
        return process.pid();
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    // One that exited at once either ran setsid or started nothing: either way no other process
    // has its pid as group id unless it is of the group.
    return !process.isAlive() || groupOf(process.pid()) == process.pid() ? process.pid() : -1;
  }

  long pid() {
    return process.pid();
  }

  /** The server's process group, or -1 when it shares the worker's. */
  long group() {
    return group;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code; only once the process has exited. */
  int exitValue() {
    return process.exitValue();
  }

  /** Completes when the process exits. */
  CompletableFuture<Process> onExit() {
    return process.onExit();
  }

  /** The server's last lines of output (standard output and error), oldest first. */
  List<String> lastLines() {
    try {
      // After an exit, the rest of its output is still on its way through the pipe.
      if (!process.isAlive()) {
        copier.join(2000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (lastLines) {
      return List.copyOf(lastLines);
    }
  }

  /**
   * The live processes of the server's group (the server itself included while it runs); zombies
   * are left out, they hold no memory. Its descendants where it has no group of its own.
   */
  List<ProcessHandle> members() {
    if (group < 0) {
      Stream<ProcessHandle> self = process.isAlive() ? Stream.of(process.toHandle()) : Stream.of();
      return Stream.concat(self, process.descendants()).toList();
    }
    try {
      return groupMembers(group);
    } catch (IOException | UncheckedIOException e) {
      return process.descendants().toList();
    }
  }

  /** The live (not zombie) processes whose process group is {@code group}, from {@code /proc}. */
  static List<ProcessHandle> groupMembers(long group) throws IOException {
    try (Stream<Path> entries = Files.list(PROC)) {
      return entries
          .map(path -> path.getFileName().toString())
          .filter(name -> name.chars().allMatch(Character::isDigit))
          .map(Long::parseLong)
          .filter(pid -> groupOf(pid) == group && !isZombie(pid))
          .flatMap(pid -> ProcessHandle.of(pid).stream())
          .toList();
    }
  }

  /**
   * Stops the server and every process of its group: SIGTERM, SIGKILL after a grace period; then
   * deletes the shared memory they mapped and the temporary directory. Also what is done after the
   * server exits on its own, since its engine processes may outlive it.
   *
   * @return how many processes were still running
   */
  int stop() {
    List<ProcessHandle> members = members();
    members.forEach(member -> sharedMemory.addAll(sharedMemoryOf(member.pid())));
    members.forEach(ProcessHandle::destroy);
    if (!awaitGone(STOP_GRACE_SECONDS)) {
      members().forEach(ProcessHandle::destroyForcibly);
      awaitGone(KILL_WAIT_SECONDS);
    }
    for (Path segment : sharedMemory) {
      try {
        if (Files.deleteIfExists(segment)) {
          System.err.println("loupe: deleted " + segment + ", left by the stopped model server");
        }
      } catch (IOException e) {
        System.err.println("loupe: could not delete " + segment + ": " + e.getMessage());
      }
    }
    sharedMemory.clear();
    deleteTree(temporaryDirectory);
    return members.size();
  }

  private boolean awaitGone(long seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!members().isEmpty()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private void copyOutput(PrintStream to) {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        to.println(line);
        synchronized (lastLines) {
          if (lastLines.size() == KEPT_LINES) {
            lastLines.removeFirst();
          }
          lastLines.addLast(line);
        }
      }
    } catch (IOException e) {
      // The pipe closed under the reader: the server is gone, and so is the rest of its output.
    }
  }

  /** The process group of {@code pid} from {@code /proc/PID/stat}, or -1. */
  static long groupOf(long pid) {
    String[] fields = statFields(pid);
    return fields.length > 2 ? Long.parseLong(fields[2]) : -1;
  }

  private static boolean isZombie(long pid) {
    String[] fields = statFields(pid);
    return fields.length > 0 && fields[0].equals("Z");
  }

  /** The fields of {@code /proc/PID/stat} after the parenthesised name (which may hold spaces). */
  private static String[] statFields(long pid) {
    try {
      String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    } catch (IOException | RuntimeException e) {
      return new String[0];
    }
  }

  /** The {@code /dev/shm} files a process maps (vLLM's message queues outlive a SIGKILL). */
  private static List<Path> sharedMemoryOf(long pid) {
    try (Stream<String> maps = Files.lines(PROC.resolve(Long.toString(pid)).resolve("maps"))) {
      return maps.map(line -> line.split("\\s+"))
          .filter(fields -> fields.length == 6 && fields[5].startsWith("/dev/shm/"))
          .map(fields -> Path.of(fields[5]))
          .distinct()
          .toList();
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
  }

  private static void deleteTree(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException | UncheckedIOException e) {
      // Left in /tmp; the next start uses a new directory.
    }
  }
}
