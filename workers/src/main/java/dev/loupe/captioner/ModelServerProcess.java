package dev.loupe.captioner;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A model server started from a command line as a child process ({@code /bin/sh -c "exec <cmd>"},
 * so that shell quoting works and the child is the server itself). Its output goes to the worker's.
 */
final class ModelServerProcess {
  private static final long STOP_GRACE_SECONDS = 15;

  private final Process process;

  private ModelServerProcess(Process process) {
    this.process = process;
  }

  static ModelServerProcess start(String commandLine) throws IOException {
    Process process =
        new ProcessBuilder(List.of("/bin/sh", "-c", "exec " + commandLine))
            .redirectOutput(ProcessBuilder.Redirect.INHERIT)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    return new ModelServerProcess(process);
  }

  long pid() {
    return process.pid();
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

  /**
   * Stops the server and what it started (vLLM runs engine processes): SIGTERM, then SIGKILL after
   * a grace period.
   */
  void stop() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
