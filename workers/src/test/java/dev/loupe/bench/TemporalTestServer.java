package dev.loupe.bench;

import java.io.IOException;

/**
 * A real Temporal server a test or benchmark owns: it can crash it ({@link #kill}, SIGKILL) and
 * bring it back with the same state on the same address ({@link #restart}).
 */
public interface TemporalTestServer extends AutoCloseable {

  /** host:port of the frontend. */
  String address();

  /** The server process, for its CPU time (a PostgreSQL behind it is not counted). */
  long pid() throws IOException;

  /** What runs, for reports, e.g. {@code dev server (SQLite)}. */
  String description();

  /** SIGKILL: the server dies as in a crash, with whatever its database had committed. */
  void kill() throws IOException, InterruptedException;

  /** Starts it again on the same address with the same database. */
  void restart() throws IOException, InterruptedException;

  /** Everything the server's database holds, uncompressed, to search for what must not be there. */
  byte[] databaseDump() throws IOException, InterruptedException;

  @Override
  void close();
}
