package dev.loupe.captioner;

import dev.loupe.provider.openai.FakeOpenAiServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

/**
 * The {@code --model-command} of tests: the activities test-jar's {@link FakeOpenAiServer} as a
 * child JVM on the test's own classpath, the way a GPU host runs {@code vllm serve}. It answers
 * {@code GET /v1/models} (listing {@code fake-model}) but has no {@code /health}, so it also covers
 * the health check's fallback.
 */
public final class FakeModelServerCommand {
  /**
   * Comes first on the command line, so that tests find the server among a worker's child processes
   * ({@code /proc/<pid>/cmdline} as Java reads it is cut after about 4 KB, long before the class
   * name that follows a test classpath).
   */
  public static final String MARKER = "-Dloupe.fake-model-server=true";

  private FakeModelServerCommand() {}

  /** {@code java -cp <classpath> FakeOpenAiServer <port>}, quoted for {@code /bin/sh}. */
  public static String on(int port) {
    return java(FakeOpenAiServer.class.getName() + " " + port);
  }

  /** {@link #on(int)} with the server's output appended to {@code log}. */
  public static String on(int port, java.nio.file.Path log) {
    return on(port) + " >> " + quote(log.toAbsolutePath().toString()) + " 2>&1";
  }

  /** The same server answering each request after {@code delay} (see {@link DelayedFakeModel}). */
  public static String delayed(int port, Duration delay) {
    return java(DelayedFakeModel.class.getName() + " " + port + " " + delay.toMillis());
  }

  /**
   * A server that answers until {@code hang} exists, then never again (see {@link
   * HangingFakeModel}), its output appended to {@code log}.
   */
  public static String hanging(int port, java.nio.file.Path hang, java.nio.file.Path log) {
    return java(HangingFakeModel.class.getName() + " " + port + " " + quote(hang.toString()))
        + " >> "
        + quote(log.toAbsolutePath().toString())
        + " 2>&1";
  }

  /** A free port on loopback, for the server to take. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String java(String mainAndArguments) {
    String java = ProcessHandle.current().info().command().orElse("java");
    return quote(java)
        + " "
        + MARKER
        + " -Xshare:off -XX:TieredStopAtLevel=1 -cp "
        + quote(System.getProperty("java.class.path"))
        + " "
        + mainAndArguments;
  }

  private static String quote(String text) {
    return "'" + text.replace("'", "'\\''") + "'";
  }
}
