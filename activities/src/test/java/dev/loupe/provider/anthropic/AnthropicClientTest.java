package dev.loupe.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.contract.FailureType;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelRequest.OutputSchema;
import dev.loupe.provider.ModelRequest.PreparedImage;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderException;
import dev.loupe.provider.Secret;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AnthropicClientTest {
  private static final Instant NOW = Instant.parse("2026-03-02T10:15:30Z");
  private static final Secret KEY = new Secret("sk-ant-api03-test-0123456789abcdef");
  private static final byte[] IMAGE_BYTES = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2, (byte) 0xff};
  private static final PreparedImage IMAGE = new PreparedImage(IMAGE_BYTES, "image/png", 640, 480);
  private static final ObjectMapper JSON = new ObjectMapper();

  @StartStop private final MockWebServer server = new MockWebServer();
  private final OkHttpClient http = new OkHttpClient();

  @Test
  void sendsImageThenTextAsOneUserTurnWithKeyAndVersion() throws Exception {
    server.enqueue(message(text("The image shows a boardwalk."), "end_turn", 1612, 45, 0, 0));

    ModelResponse response =
        client(KEY)
            .complete(
                new ModelRequest("claude-sonnet-4-5", null, "Describe it.", IMAGE, null, 1024));

    RecordedRequest recorded = server.takeRequest();
    assertThat(recorded.getMethod()).isEqualTo("POST");
    assertThat(recorded.getUrl().encodedPath()).isEqualTo("/v1/messages");
    assertThat(recorded.getHeaders().get("x-api-key")).isEqualTo(KEY.value());
    assertThat(recorded.getHeaders().get("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(recorded.getHeaders().get("Authorization")).isNull();
    assertThat(recorded.getHeaders().get("Content-Type")).startsWith("application/json");
    JsonNode body = body(recorded);
    assertThat(fieldNames(body)).containsExactlyInAnyOrder("model", "max_tokens", "messages");
    assertThat(body.get("model").asText()).isEqualTo("claude-sonnet-4-5");
    assertThat(body.get("max_tokens").asInt()).isEqualTo(1024);
    assertThat(body.get("messages")).hasSize(1);
    JsonNode user = body.get("messages").get(0);
    assertThat(user.get("role").asText()).isEqualTo("user");
    assertThat(user.get("content")).hasSize(2);
    JsonNode image = user.get("content").get(0);
    assertThat(image.get("type").asText()).isEqualTo("image");
    assertThat(fieldNames(image.get("source")))
        .containsExactlyInAnyOrder("type", "media_type", "data");
    assertThat(image.at("/source/type").asText()).isEqualTo("base64");
    assertThat(image.at("/source/media_type").asText()).isEqualTo("image/png");
    assertThat(image.at("/source/data").asText()).doesNotStartWith("data:");
    assertThat(Base64.getDecoder().decode(image.at("/source/data").asText()))
        .isEqualTo(IMAGE_BYTES);
    JsonNode text = user.get("content").get(1);
    assertThat(text.get("type").asText()).isEqualTo("text");
    assertThat(text.get("text").asText()).isEqualTo("Describe it.");

    assertThat(response.text()).isEqualTo("The image shows a boardwalk.");
    assertThat(response.model()).isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(response.inputTokens()).isEqualTo(1612);
    assertThat(response.outputTokens()).isEqualTo(45);
    assertThat(response.latencyMillis()).isNotNegative();
  }

  @Test
  void cacheTokensCountAsInput() throws Exception {
    server.enqueue(message(text("ok"), "end_turn", 100, 5, 30, 1200));

    ModelResponse response = client(KEY).complete(request());

    assertThat(response.inputTokens()).isEqualTo(100 + 30 + 1200);
    assertThat(response.outputTokens()).isEqualTo(5);
  }

  @Test
  void systemPromptIsTheSystemField() throws Exception {
    server.enqueue(message(text("Short."), "end_turn", 20, 2, 0, 0));

    client(KEY).complete(new ModelRequest("claude-sonnet-4-5", "Be brief.", "Hi", null, null, 50));

    JsonNode body = body(server.takeRequest());
    assertThat(body.get("system").asText()).isEqualTo("Be brief.");
    assertThat(body.at("/messages/0/content")).hasSize(1);
  }

  @Test
  void structuredCallForcesTheToolWhoseInputIsTheSchema() throws Exception {
    JsonNode schema = verdictSchema();
    server.enqueue(message(toolUse("verdict", "{\"ok\":true}"), "tool_use", 30, 4, 0, 0));

    ModelResponse response = client(KEY).complete(structuredRequest());

    JsonNode body = body(server.takeRequest());
    assertThat(body.get("tools")).hasSize(1);
    JsonNode tool = body.get("tools").get(0);
    assertThat(fieldNames(tool)).containsExactlyInAnyOrder("name", "description", "input_schema");
    assertThat(tool.get("name").asText()).isEqualTo("verdict");
    assertThat(tool.get("input_schema")).isEqualTo(schema);
    assertThat(body.get("tool_choice").get("type").asText()).isEqualTo("tool");
    assertThat(body.get("tool_choice").get("name").asText()).isEqualTo("verdict");
    assertThat(JSON.readTree(response.text())).isEqualTo(JSON.readTree("{\"ok\":true}"));
  }

  @Test
  void baseUrlEndingInV1IsNotDoubled() throws Exception {
    server.enqueue(message(text("ok"), "end_turn", 10, 1, 0, 0));
    AnthropicClient client =
        new AnthropicClient(AnthropicSettings.of(server.url("/v1/").toString(), KEY), http);

    client.complete(request());

    assertThat(server.takeRequest().getUrl().encodedPath()).isEqualTo("/v1/messages");
  }

  @Test
  void rateLimitWaitsForRetryAfter() {
    server.enqueue(
        error(
                429,
                errorBody("rate_limit_error", "Number of requests has exceeded your rate limit."))
            .addHeader("retry-after", "12")
            .addHeader("request-id", "req_011")
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.RATE_LIMITED);
    assertThat(failure.type().retryable()).isTrue();
    assertThat(failure.httpStatus()).isEqualTo(429);
    assertThat(failure.retryAfter()).contains(Duration.ofSeconds(12));
    assertThat(failure.getMessage()).contains("rate_limit_error", "exceeded", "req_011");
  }

  @Test
  void rateLimitWithoutRetryAfterStillRetries() {
    server.enqueue(error(429, errorBody("rate_limit_error", "Rate limited.")).build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.RATE_LIMITED);
    assertThat(failure.retryAfter()).isEmpty();
  }

  @Test
  void spendCapIsExhaustedNotRateLimited() {
    server.enqueue(
        error(
                429,
                """
                {"type":"error","error":{"type":"rate_limit_error",\
                "message":"You have reached your monthly spend limit.",\
                "details":{"error_code":"enforced_spend_limit_reached"}},\
                "request_id":"req_spend"}""")
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.QUOTA_EXHAUSTED);
    assertThat(failure.type().retryable()).isFalse();
    assertThat(failure.httpStatus()).isEqualTo(429);
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getMessage())
        .contains("enforced_spend_limit_reached", "monthly spend limit", "req_spend");
  }

  @Test
  void usageLimitBehindA400IsExhausted() {
    server.enqueue(
        error(
                400,
                errorBody(
                    "invalid_request_error",
                    "You have reached your specified API usage limits. You will regain access on"
                        + " 2026-04-01."))
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.QUOTA_EXHAUSTED);
  }

  @ParameterizedTest
  @ValueSource(ints = {408, 409, 500, 502, 503, 504, 529})
  void serverTroubleIsRetryable(int status) {
    server.enqueue(error(status, errorBody("overloaded_error", "Overloaded")).build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.SERVER_ERROR);
    assertThat(failure.type().retryable()).isTrue();
    assertThat(failure.httpStatus()).isEqualTo(status);
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getMessage()).contains("Overloaded");
    assertThat(server.getRequestCount()).as("the client itself never retries").isEqualTo(1);
  }

  @Test
  void overloadedServerPassesOnItsRetryAfter() {
    server.enqueue(
        error(529, errorBody("overloaded_error", "Overloaded"))
            .addHeader("retry-after", "5")
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.SERVER_ERROR);
    assertThat(failure.retryAfter()).contains(Duration.ofSeconds(5));
  }

  @Test
  void badRequestCarriesTheProviderMessage() {
    server.enqueue(
        error(
                400,
                errorBody("invalid_request_error", "messages.0.content.0.image.source: bad image"))
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.BAD_REQUEST);
    assertThat(failure.type().retryable()).isFalse();
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getMessage()).contains("invalid_request_error", "bad image");
  }

  @Test
  void oversizedRequestIsABadRequest() {
    server.enqueue(error(413, errorBody("request_too_large", "Request exceeds 32 MB.")).build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.BAD_REQUEST);
    assertThat(failure.httpStatus()).isEqualTo(413);
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void rejectedKeyIsAnAuthenticationFailureThatDoesNotQuoteTheKey(int status) {
    server.enqueue(
        error(status, errorBody("authentication_error", "invalid x-api-key " + KEY.value()))
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.AUTHENTICATION);
    assertThat(failure.httpStatus()).isEqualTo(status);
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getMessage()).contains("invalid x-api-key").doesNotContain(KEY.value());
  }

  @Test
  void billingErrorIsExhausted() {
    server.enqueue(
        error(402, errorBody("billing_error", "Your credit balance is too low.")).build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.QUOTA_EXHAUSTED);
  }

  @Test
  void unknownModelIsNotFound() {
    server.enqueue(error(404, errorBody("not_found_error", "model: claude-9")).build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.NOT_FOUND);
  }

  @Test
  void refusalIsRefused() {
    server.enqueue(message(text("I can't help with that image."), "refusal", 1500, 8, 0, 0));

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.REFUSED);
    assertThat(failure.type().retryable()).isFalse();
    assertThat(failure.httpStatus()).isEqualTo(200);
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getMessage()).contains("refused", "I can't help with that image.");
  }

  @Test
  void refusalOfAStructuredCallIsRefusedToo() {
    server.enqueue(message(JSON.createArrayNode(), "refusal", 1500, 0, 0, 0));

    ProviderException failure = failure(client(KEY), structuredRequest());

    assertThat(failure.type()).isEqualTo(FailureType.REFUSED);
  }

  @Test
  void unparseableBodyIsMalformedOutput() {
    server.enqueue(ok("{\"id\":\"msg_1\",\"content\":[{\"type\":\"text\",\"text\":\"A"));

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure.type().retryable()).isTrue();
    assertThat(failure.httpStatus()).isEqualTo(200);
    assertThat(failure.retryAfter()).isEmpty();
  }

  @Test
  void bodyThatBreaksOffIsMalformedOutputNotTransport() {
    String whole = messageJson(text("A long caption that never arrives."), "end_turn", 10, 9);
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("Content-Type", "application/json")
            .addHeader("request-id", "req_cut")
            .body(whole.substring(0, whole.length() / 2))
            .setHeader("Content-Length", whole.length())
            .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE)
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure.httpStatus()).isEqualTo(200);
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getCause()).isInstanceOf(IOException.class);
    assertThat(failure.getMessage()).contains("req_cut");
  }

  @Test
  void structuredCallWithoutTheToolCallIsMalformedOutput() {
    server.enqueue(message(text("{\"ok\": true}"), "end_turn", 30, 4, 0, 0));

    ProviderException failure = failure(client(KEY), structuredRequest());

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure.getMessage()).contains("did not call the verdict tool");
  }

  @Test
  void structuredOutputCutOffAtTheTokenLimitIsMalformedOutput() {
    server.enqueue(message(toolUse("verdict", "{}"), "max_tokens", 30, 80, 0, 0));

    ProviderException failure = failure(client(KEY), structuredRequest());

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure.getMessage()).contains("cut off");
  }

  @Test
  void freeTextCutOffAtTheTokenLimitIsReturned() throws Exception {
    server.enqueue(message(text("A caption that stops mid"), "max_tokens", 30, 16, 0, 0));

    ModelResponse response = client(KEY).complete(request());

    assertThat(response.text()).isEqualTo("A caption that stops mid");
  }

  @Test
  void emptyTextIsMalformedOutput() {
    server.enqueue(message(JSON.createArrayNode(), "end_turn", 30, 0, 0, 0));

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
  }

  @Test
  void refusedConnectionIsATransportFailure() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    AnthropicClient client =
        new AnthropicClient(AnthropicSettings.of("http://127.0.0.1:" + closedPort, KEY), http);

    ProviderException failure = failure(client);

    assertThat(failure.type()).isEqualTo(FailureType.TRANSPORT);
    assertThat(failure.httpStatus()).isZero();
    assertThat(failure.getMessage())
        .startsWith("Anthropic API call to")
        .doesNotContain(KEY.value());
  }

  @Test
  void answerSlowerThanTheCallTimeoutIsATransportFailure() {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .body(messageJson(text("late"), "end_turn", 1, 1))
            .headersDelay(2, TimeUnit.SECONDS)
            .build());
    AnthropicClient client =
        new AnthropicClient(
            new AnthropicSettings(
                server.url("/").toString(),
                KEY,
                AnthropicSettings.DEFAULT_VERSION,
                Duration.ofMillis(300)),
            http);

    ProviderException failure = failure(client);

    assertThat(failure.type()).isEqualTo(FailureType.TRANSPORT);
  }

  private AnthropicClient client(Secret key) {
    return new AnthropicClient(
        new AnthropicSettings(
            server.url("/").toString(),
            key,
            AnthropicSettings.DEFAULT_VERSION,
            Duration.ofSeconds(10)),
        http,
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static ModelRequest request() {
    return new ModelRequest("claude-sonnet-4-5", null, "Describe.", IMAGE, null, 300);
  }

  private static ModelRequest structuredRequest() {
    return new ModelRequest(
        "claude-sonnet-4-5",
        null,
        "Is it?",
        IMAGE,
        new OutputSchema("verdict", verdictSchema()),
        80);
  }

  private static JsonNode verdictSchema() {
    try {
      return JSON.readTree(
          """
          {"type":"object","properties":{"ok":{"type":"boolean"}},
           "required":["ok"],"additionalProperties":false}""");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static ProviderException failure(AnthropicClient client) {
    return failure(client, request());
  }

  private static ProviderException failure(AnthropicClient client, ModelRequest request) {
    ProviderException failure =
        catchThrowableOfType(ProviderException.class, () -> client.complete(request));
    assertThat(failure).as("the call fails").isNotNull();
    return failure;
  }

  private static JsonNode text(String text) {
    var content = JSON.createArrayNode();
    content.addObject().put("type", "text").put("text", text);
    return content;
  }

  private static JsonNode toolUse(String name, String inputJson) {
    var content = JSON.createArrayNode();
    try {
      content
          .addObject()
          .put("type", "tool_use")
          .put("id", "toolu_01")
          .put("name", name)
          .set("input", JSON.readTree(inputJson));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return content;
  }

  private static MockResponse message(
      JsonNode content,
      String stopReason,
      int inputTokens,
      int outputTokens,
      int cacheCreation,
      int cacheRead) {
    ObjectNode root = (ObjectNode) messageNode(content, stopReason, inputTokens, outputTokens);
    ObjectNode usage = (ObjectNode) root.get("usage");
    usage.put("cache_creation_input_tokens", cacheCreation);
    usage.put("cache_read_input_tokens", cacheRead);
    return ok(root.toString());
  }

  static String messageJson(JsonNode content, String stopReason, int input, int output) {
    return messageNode(content, stopReason, input, output).toString();
  }

  private static JsonNode messageNode(
      JsonNode content, String stopReason, int inputTokens, int outputTokens) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", "msg_01XFDUDYJgAACzvnptvVoYEL");
    root.put("type", "message");
    root.put("role", "assistant");
    root.put("model", "claude-sonnet-4-5-20250929");
    root.set("content", content);
    root.put("stop_reason", stopReason);
    root.putNull("stop_sequence");
    ObjectNode usage = root.putObject("usage");
    usage.put("input_tokens", inputTokens);
    usage.put("output_tokens", outputTokens);
    usage.put("service_tier", "standard");
    return root;
  }

  private static MockResponse ok(String json) {
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/json")
        .addHeader("request-id", "req_ok")
        .body(json)
        .build();
  }

  private static MockResponse.Builder error(int status, String body) {
    return new MockResponse.Builder()
        .code(status)
        .addHeader("Content-Type", "application/json")
        .body(body);
  }

  private static String errorBody(String type, String message) {
    ObjectNode root = JSON.createObjectNode();
    root.put("type", "error");
    root.putObject("error").put("type", type).put("message", message);
    root.put("request_id", "req_011CSHoEeqs5C35K2UUqR7Fy");
    return root.toString();
  }

  private static JsonNode body(RecordedRequest request) throws IOException {
    return JSON.readTree(request.getBody().string(StandardCharsets.UTF_8));
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
