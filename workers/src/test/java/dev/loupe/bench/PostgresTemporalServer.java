package dev.loupe.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Temporal server users deploy ({@code go.temporal.io/server}, the release compose runs) on a
 * PostgreSQL cluster of its own, both on loopback, run by {@code scripts/temporal-postgres}.
 */
public final class PostgresTemporalServer implements TemporalTestServer {
  private final Path script;
  private final Path dir;
  private final String address;

  private PostgresTemporalServer(Path script, Path dir, String address) {
    this.script = script;
    this.dir = dir;
    this.address = address;
  }

  /** Starts PostgreSQL and the server with their data and logs in {@code dir}. */
  public static PostgresTemporalServer start(Path repository, Path dir)
      throws IOException, InterruptedException {
    Path script = repository.resolve("scripts/temporal-postgres");
    run(script, dir, "start", dir.toString());
    String address = Files.readString(dir.resolve("address"), StandardCharsets.UTF_8).strip();
    return new PostgresTemporalServer(script, dir, address);
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public long pid() throws IOException {
    return Long.parseLong(
        Files.readString(dir.resolve("temporal.pid"), StandardCharsets.UTF_8).strip());
  }

  @Override
  public String description() {
    return "Temporal server on PostgreSQL";
  }

  /** {@code pg_dump} of both databases: rows as text, TOAST-compressed values expanded. */
  @Override
  public byte[] databaseDump() throws IOException, InterruptedException {
    run(script, dir, "dump", dir.toString());
    return Files.readAllBytes(dir.resolve("dump.sql"));
  }

  /**
   * Rows and bytes of every table of both databases and the WAL position ({@code
   * scripts/temporal-postgres stats}).
   */
  public DatabaseStats databaseStats() throws IOException, InterruptedException {
    run(script, dir, "stats", dir.toString());
    return DatabaseStats.parse(
        Files.readAllLines(dir.resolve("stats.tsv"), StandardCharsets.UTF_8));
  }

  /** The PostgreSQL postmaster, whose children are the server's database connections. */
  public long postgresPid() throws IOException {
    Path pgdata =
        Path.of(Files.readString(dir.resolve("pgdata-dir"), StandardCharsets.UTF_8).strip());
    // The first line of postmaster.pid is the postmaster's process ID.
    return Long.parseLong(
        Files.readAllLines(pgdata.resolve("data/postmaster.pid"), StandardCharsets.UTF_8)
            .getFirst()
            .strip());
  }

  @Override
  public void kill() throws IOException, InterruptedException {
    run(script, dir, "kill", dir.toString());
  }

  @Override
  public void restart() throws IOException, InterruptedException {
    run(script, dir, "restart", dir.toString());
  }

  @Override
  public void close() {
    try {
      run(script, dir, "stop", dir.toString());
    } catch (IOException e) {
      throw new IllegalStateException("could not stop the server in " + dir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void run(Path script, Path dir, String... arguments)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    List<String> command = new ArrayList<>(List.of(script.toString()));
    command.addAll(List.of(arguments));
    Path log = dir.resolve("script.log");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish; see " + log);
    }
    if (process.exitValue() != 0) {
      throw new IOException(
          String.join(" ", command) + " failed (" + process.exitValue() + "): " + tail(log));
    }
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }
}
