package dev.loupe.embedded;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@code temporal server start-dev} child process on loopback, with its SQLite file where the
 * caller says and the UI enabled: durable across restarts of the run, and inspectable in a browser.
 */
public final class DevServer implements AutoCloseable {
  /** Custom search attributes Loupe's workflows set. */
  public static final List<String> SEARCH_ATTRIBUTES =
      List.of("LoupeDataset=Keyword", "LoupeStatus=Keyword");

  private final Process process;
  private final int port;
  private final int uiPort;

  private DevServer(Process process, int port, int uiPort) {
    this.process = process;
    this.port = port;
    this.uiPort = uiPort;
  }

  /** The {@code temporal} executable on PATH, if any. */
  public static Optional<Path> findCli() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, "temporal");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * Starts the dev server and waits until its frontend accepts connections.
   *
   * @param cli the {@code temporal} executable
   * @param database the SQLite file (created if absent, reused if present)
   * @param log where the server's output goes
   */
  public static DevServer start(Path cli, Path database, Path log) throws IOException {
    int port = freePort();
    int uiPort = freePort();
    Files.createDirectories(database.toAbsolutePath().getParent());
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            cli.toString(),
            "server",
            "start-dev",
            "--ip",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--ui-port",
            Integer.toString(uiPort),
            "--db-filename",
            database.toAbsolutePath().toString(),
            "--log-level",
            "warn"));
    for (String attribute : SEARCH_ATTRIBUTES) {
      command.add("--search-attribute");
      command.add(attribute);
    }
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    DevServer server = new DevServer(process, port, uiPort);
    server.awaitReady(Duration.ofSeconds(60), log);
    return server;
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  public String uiUrl() {
    return "http://127.0.0.1:" + uiPort;
  }

  private void awaitReady(Duration timeout, Path log) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "temporal server start-dev exited with " + process.exitValue() + "; see " + log);
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        sleep(200);
      }
    }
    close();
    throw new IOException(
        "temporal server start-dev did not answer within " + timeout + "; see " + log);
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the dev server", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
