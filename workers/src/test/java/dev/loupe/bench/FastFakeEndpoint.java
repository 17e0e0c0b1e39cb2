package dev.loupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenAI-compatible Chat Completions endpoint that answers at once, for benchmarks of Loupe's
 * own overhead: the same answer shapes as the test suite's fake (questions, verdicts, free text, a
 * usage block), without its per-request spec validation. Loopback only.
 */
final class FastFakeEndpoint implements AutoCloseable {
  private static final String FREE_TEXT =
      "[fake] A small generated test image: a flat background with a few coloured marks. "
          + "Nothing else is in the picture.";
  private static final String QUESTIONS =
      "{\"questions\":[{\"question\":\"[fake] Which colour covers most of the image?\","
          + "\"type\":\"reasoning\"}]}";
  private static final String VERDICT =
      "{\"meaningful\":true,\"correct\":true,\"detail\":\"[fake] fine\"}";

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicLong requests = new AtomicLong();

  private FastFakeEndpoint(HttpServer server) {
    this.server = server;
  }

  static FastFakeEndpoint start() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    FastFakeEndpoint endpoint = new FastFakeEndpoint(server);
    server.createContext("/v1/chat/completions", endpoint::answer);
    server.setExecutor(endpoint.executor);
    server.start();
    return endpoint;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  long requests() {
    return requests.get();
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange;
        InputStream in = exchange.getRequestBody()) {
      JsonNode request = json.readTree(in);
      long sequence = requests.incrementAndGet();
      String schema = request.at("/response_format/json_schema/name").asText("");
      String content =
          switch (schema) {
            case "questions" -> QUESTIONS;
            case "verdict" -> VERDICT;
            default -> FREE_TEXT;
          };
      ObjectNode response = json.createObjectNode();
      response.put("id", "chatcmpl-bench-" + sequence);
      response.put("object", "chat.completion");
      response.put("created", 1_767_225_600L);
      response.put("model", request.path("model").asText("bench-model"));
      ObjectNode choice = response.putArray("choices").addObject();
      choice.put("index", 0);
      ObjectNode message = choice.putObject("message");
      message.put("role", "assistant");
      message.put("content", content);
      message.putNull("refusal");
      choice.put("finish_reason", "stop");
      ObjectNode usage = response.putObject("usage");
      usage.put("prompt_tokens", 300);
      usage.put("completion_tokens", content.length() / 4);
      usage.put("total_tokens", 300 + content.length() / 4);
      byte[] body = json.writeValueAsBytes(response);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    } catch (IOException | RuntimeException broken) {
      byte[] body =
          ("{\"error\":{\"message\":\"bench fake: " + broken + "\",\"type\":\"server_error\"}}")
              .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(500, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
