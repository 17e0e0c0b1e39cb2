package dev.loupe.codec;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;

/**
 * Temporal's codec-server convention over HTTP, so that the Temporal UI and CLI show encrypted
 * payloads as plaintext: {@code POST /decode} and {@code POST /encode} take and return {@code
 * {"payloads":[…]}} (payloads in protobuf JSON); the UI's origin gets CORS answers; a request whose
 * {@code X-Namespace} names another namespace is refused; with a token, requests must carry {@code
 * Authorization: Bearer <token>}. Bodies larger than {@value #MAX_BODY_BYTES} bytes are refused.
 */
public final class CodecServer implements AutoCloseable {
  /**
   * The environment variable whose value, when set, every request must present as a bearer token.
   */
  public static final String TOKEN_VARIABLE = "LOUPE_CODEC_TOKEN";

  static final int MAX_BODY_BYTES = 32 * 1024 * 1024;
  private static final String ALLOWED_HEADERS = "Content-Type, X-Namespace, Authorization";

  private final HttpServer server;
  private final ExecutorService executor;

  private CodecServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * @param bind the address to listen on (loopback unless the UI runs elsewhere)
   * @param port the port, or 0 for a free one
   * @param codec encodes and decodes the payloads
   * @param namespace the only namespace this server answers for
   * @param corsOrigins browser origins allowed to call it (the Temporal UI's, e.g. {@code
   *     http://localhost:8080})
   * @param token the bearer token requests must carry, or null for none
   */
  public static CodecServer start(
      InetAddress bind,
      int port,
      PayloadCodec codec,
      String namespace,
      Set<String> corsOrigins,
      String token)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 0);
    Endpoint decode = new Endpoint(codec::decode, namespace, corsOrigins, token);
    Endpoint encode = new Endpoint(codec::encode, namespace, corsOrigins, token);
    server.createContext("/decode", decode::handle);
    server.createContext("/encode", encode::handle);
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    server.start();
    return new CodecServer(server, executor);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The URL to give the Temporal UI ({@code TEMPORAL_CODEC_ENDPOINT}) or the CLI. */
  public String url() {
    InetSocketAddress address = server.getAddress();
    String host = address.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + address.getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private record Endpoint(
      UnaryOperator<List<Payload>> transform,
      String namespace,
      Set<String> corsOrigins,
      String token) {

    void handle(HttpExchange exchange) throws IOException {
      try (exchange) {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (origin != null && corsOrigins.contains(origin)) {
          Headers headers = exchange.getResponseHeaders();
          headers.set("Access-Control-Allow-Origin", origin);
          headers.set("Access-Control-Allow-Credentials", "true");
          headers.set("Vary", "Origin");
        }
        if ("OPTIONS".equals(exchange.getRequestMethod())) {
          Headers headers = exchange.getResponseHeaders();
          headers.set("Access-Control-Allow-Methods", "POST, OPTIONS");
          headers.set("Access-Control-Allow-Headers", ALLOWED_HEADERS);
          headers.set("Access-Control-Max-Age", "600");
          exchange.sendResponseHeaders(204, -1);
          return;
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
          exchange.getResponseHeaders().set("Allow", "POST, OPTIONS");
          send(exchange, 405, "use POST");
          return;
        }
        if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
          exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
          send(exchange, 401, "a bearer token is required (" + TOKEN_VARIABLE + ")");
          return;
        }
        String requested = exchange.getRequestHeaders().getFirst("X-Namespace");
        if (requested != null && !requested.isBlank() && !requested.equals(namespace)) {
          send(exchange, 403, "this codec server serves the namespace " + namespace);
          return;
        }
        byte[] body = readBody(exchange.getRequestBody());
        if (body == null) {
          send(exchange, 413, "the body exceeds " + MAX_BODY_BYTES + " bytes");
          return;
        }
        Payloads.Builder request = Payloads.newBuilder();
        try {
          JsonFormat.parser()
              .ignoringUnknownFields()
              .merge(new String(body, StandardCharsets.UTF_8), request);
        } catch (InvalidProtocolBufferException malformed) {
          send(exchange, 400, "the body is not {\"payloads\": [...]}: " + malformed.getMessage());
          return;
        }
        List<Payload> result;
        try {
          result = transform.apply(request.getPayloadsList());
        } catch (PayloadCodecException cannot) {
          send(exchange, 400, cannot.getMessage());
          return;
        }
        byte[] json =
            JsonFormat.printer()
                .print(Payloads.newBuilder().addAllPayloads(result).build())
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, json.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(json);
        }
      }
    }

    private boolean authorized(String authorization) {
      if (token == null) {
        return true;
      }
      if (authorization == null || !authorization.startsWith("Bearer ")) {
        return false;
      }
      byte[] presented =
          authorization.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8);
      return MessageDigest.isEqual(presented, token.getBytes(StandardCharsets.UTF_8));
    }

    /** The body, or null when it is larger than the limit. */
    private static byte[] readBody(InputStream in) throws IOException {
      byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
      return body.length > MAX_BODY_BYTES ? null : body;
    }

    private static void send(HttpExchange exchange, int status, String message) throws IOException {
      byte[] text = (message + "\n").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(status, text.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(text);
      }
    }
  }
}
