package dev.loupe.captioner;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;

/**
 * A fake model server that hangs on cue: it answers {@code GET /health} and {@code GET /v1/models}
 * (listing {@code hanging-fake}) until the file given as its second argument exists, and from then
 * on accepts every request and never answers, as an engine stuck in a deadlock does, while its
 * process stays alive and still stops on SIGTERM. A new instance deletes that file when it starts,
 * so the server a supervisor restarts answers again.
 */
public final class HangingFakeModel {
  private HangingFakeModel() {}

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    Path hang = Path.of(args[1]);
    Files.deleteIfExists(hang);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/health", exchange -> answer(exchange, hang, ""));
    server.createContext(
        "/v1/models",
        exchange ->
            answer(exchange, hang, "{\"object\":\"list\",\"data\":[{\"id\":\"hanging-fake\"}]}"));
    server.start();
    System.out.println("hanging fake model on port " + port + "; hangs once " + hang + " exists");
    System.out.flush();
  }

  private static void answer(HttpExchange exchange, Path hang, String body) throws IOException {
    if (Files.exists(hang)) {
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
    try (var out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
