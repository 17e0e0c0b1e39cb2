package dev.loupe.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A {@code temporal server start-dev} child process on a fixed loopback port: in memory, or with a
 * SQLite file that survives {@link #kill} and {@link #restart}, so a test can crash the server
 * mid-run and bring it back with the same state on the same address.
 */
public final class TemporalDevServer implements TemporalTestServer {
  private static final List<String> SEARCH_ATTRIBUTES =
      List.of("LoupeDataset=Keyword", "LoupeStatus=Keyword");

  private final Path cli;
  private final Path database;
  private final int port;
  private final Path log;
  private Process process;

  private TemporalDevServer(Path cli, Path database, int port, Path log) {
    this.cli = cli;
    this.database = database;
    this.port = port;
    this.log = log;
  }

  /** The {@code temporal} CLI on PATH. */
  public static Optional<Path> findCli() {
    String path = System.getenv("PATH");
    for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, "temporal");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * Starts a dev server on a free port and waits until its namespace answers.
   *
   * @param database the SQLite file, or null to keep everything in memory
   */
  public static TemporalDevServer start(Path cli, Path database, Path log)
      throws IOException, InterruptedException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    TemporalDevServer server = new TemporalDevServer(cli, database, port, log);
    server.launch();
    return server;
  }

  @Override
  public String address() {
    return "127.0.0.1:" + port;
  }

  @Override
  public String description() {
    return database == null ? "dev server (in memory)" : "dev server (SQLite)";
  }

  @Override
  public long pid() {
    return process.pid();
  }

  /** The SQLite file (SQLite stores rows uncompressed). */
  @Override
  public byte[] databaseDump() throws IOException {
    if (database == null) {
      throw new IllegalStateException("this dev server keeps its state in memory");
    }
    return Files.readAllBytes(database);
  }

  @Override
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void restart() throws IOException, InterruptedException {
    if (process.isAlive()) {
      kill();
    }
    launch();
  }

  private void launch() throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            cli.toString(),
            "server",
            "start-dev",
            "--headless",
            "--ip",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--namespace",
            "default",
            "--log-level",
            "error"));
    if (database != null) {
      Files.createDirectories(database.toAbsolutePath().getParent());
      command.addAll(List.of("--db-filename", database.toAbsolutePath().toString()));
    }
    for (String attribute : SEARCH_ATTRIBUTES) {
      command.addAll(List.of("--search-attribute", attribute));
    }
    Files.createDirectories(log.toAbsolutePath().getParent());
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    awaitReady(Duration.ofSeconds(90));
  }

  private void awaitReady(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("temporal server start-dev exited; see " + log);
      }
      Process probe =
          new ProcessBuilder(
                  cli.toString(),
                  "operator",
                  "search-attribute",
                  "list",
                  "--address",
                  address(),
                  "--namespace",
                  "default",
                  "--command-timeout",
                  "2s")
              .redirectErrorStream(true)
              .start();
      String listed = new String(probe.getInputStream().readAllBytes());
      if (probe.waitFor() == 0 && listed.contains("LoupeStatus")) {
        return;
      }
      Thread.sleep(300);
    }
    close();
    throw new IOException("temporal server start-dev did not answer within " + timeout);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
