package dev.loupe.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.time.format.DateTimeFormatter;
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

class OpenAiClientTest {
  private static final Instant NOW = Instant.parse("2026-03-02T10:15:30Z");
  private static final Secret KEY = new Secret("sk-test-0123456789abcdef");
  private static final byte[] IMAGE_BYTES = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2, (byte) 0xff};
  private static final PreparedImage IMAGE = new PreparedImage(IMAGE_BYTES, "image/png", 640, 480);
  private static final ObjectMapper JSON = new ObjectMapper();

  @StartStop private final MockWebServer server = new MockWebServer();
  private final OkHttpClient http = new OkHttpClient();

  @Test
  void sendsImageThenTextAsOneUserTurnWithBearerKey() throws Exception {
    server.enqueue(completion("A red bicycle.", "stop", 1117, 46));

    ModelResponse response =
        client(KEY)
            .complete(new ModelRequest("gpt-4.1-mini", null, "Describe it.", IMAGE, null, 300));

    RecordedRequest recorded = server.takeRequest();
    assertThat(recorded.getMethod()).isEqualTo("POST");
    assertThat(recorded.getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
    assertThat(recorded.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY.value());
    assertThat(recorded.getHeaders().get("Content-Type")).startsWith("application/json");
    JsonNode body = body(recorded);
    assertThat(fieldNames(body))
        .containsExactlyInAnyOrder("model", "messages", "max_completion_tokens");
    assertThat(body.get("model").asText()).isEqualTo("gpt-4.1-mini");
    assertThat(body.get("max_completion_tokens").asInt()).isEqualTo(300);
    assertThat(body.get("messages")).hasSize(1);
    JsonNode user = body.get("messages").get(0);
    assertThat(user.get("role").asText()).isEqualTo("user");
    assertThat(user.get("content")).hasSize(2);
    JsonNode text = user.get("content").get(1);
    assertThat(text.get("type").asText()).isEqualTo("text");
    assertThat(text.get("text").asText()).isEqualTo("Describe it.");
    JsonNode image = user.get("content").get(0);
    assertThat(image.get("type").asText()).isEqualTo("image_url");
    assertThat(image.get("image_url").get("detail").asText()).isEqualTo("auto");
    String url = image.get("image_url").get("url").asText();
    assertThat(url).startsWith("data:image/png;base64,");
    assertThat(Base64.getDecoder().decode(url.substring("data:image/png;base64,".length())))
        .isEqualTo(IMAGE_BYTES);

    assertThat(response.text()).isEqualTo("A red bicycle.");
    assertThat(response.model()).isEqualTo("gpt-4.1-mini-2025-04-14");
    assertThat(response.inputTokens()).isEqualTo(1117);
    assertThat(response.outputTokens()).isEqualTo(46);
    assertThat(response.latencyMillis()).isNotNegative();
  }

  @Test
  void sendsSystemPromptAsFirstMessage() throws Exception {
    server.enqueue(completion("Short.", "stop", 20, 2));

    client(KEY).complete(new ModelRequest("gpt-4.1-mini", "Be brief.", "Hello", null, null, 50));

    JsonNode messages = body(server.takeRequest()).get("messages");
    assertThat(messages).hasSize(2);
    assertThat(messages.get(0).get("role").asText()).isEqualTo("system");
    assertThat(messages.get(0).get("content").asText()).isEqualTo("Be brief.");
    assertThat(messages.get(1).get("role").asText()).isEqualTo("user");
    assertThat(messages.get(1).get("content")).hasSize(1);
  }

  @Test
  void structuredCallAsksForStrictJsonSchema() throws Exception {
    JsonNode schema =
        JSON.readTree(
            """
            {"type":"object","properties":{"ok":{"type":"boolean"}},
             "required":["ok"],"additionalProperties":false}""");
    server.enqueue(completion("{\"ok\":true}", "stop", 30, 4));

    ModelResponse response =
        client(KEY)
            .complete(
                new ModelRequest(
                    "gpt-4.1-mini",
                    null,
                    "Is it?",
                    IMAGE,
                    new OutputSchema("verdict", schema),
                    80));

    JsonNode format = body(server.takeRequest()).get("response_format");
    assertThat(format.get("type").asText()).isEqualTo("json_schema");
    assertThat(format.get("json_schema").get("name").asText()).isEqualTo("verdict");
    assertThat(format.get("json_schema").get("strict").asBoolean()).isTrue();
    assertThat(format.get("json_schema").get("schema")).isEqualTo(schema);
    assertThat(response.text()).isEqualTo("{\"ok\":true}");
  }

  @Test
  void compatibleServerGetsMaxTokens() throws Exception {
    server.enqueue(completion("ok", "stop", 10, 1));
    OpenAiClient client =
        new OpenAiClient(OpenAiSettings.compatible(server.url("/v1").toString(), null), http);

    client.complete(new ModelRequest("Qwen/Qwen2.5-VL-7B-Instruct", null, "Hi", IMAGE, null, 64));

    JsonNode body = body(server.takeRequest());
    assertThat(body.get("max_tokens").asInt()).isEqualTo(64);
    assertThat(body.has("max_completion_tokens")).isFalse();
  }

  @Test
  void sendsNoAuthorizationHeaderWithoutKey() throws Exception {
    server.enqueue(completion("ok", "stop", 10, 1));

    client(null).complete(new ModelRequest("local-model", null, "Hi", null, null, 16));

    assertThat(server.takeRequest().getHeaders().get("Authorization")).isNull();
  }

  @Test
  void baseUrlWithTrailingSlashNamesTheSameEndpoint() throws Exception {
    server.enqueue(completion("ok", "stop", 10, 1));
    OpenAiClient client =
        new OpenAiClient(OpenAiSettings.openAi(server.url("/v1/").toString(), KEY), http);

    client.complete(new ModelRequest("gpt-4.1-mini", null, "Hi", null, null, 16));

    assertThat(server.takeRequest().getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
  }

  @Test
  void rateLimitedCallCarriesRetryAfter() {
    server.enqueue(
        error(429, rateLimitBody("Rate limit reached.")).addHeader("Retry-After", "7").build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.RATE_LIMITED);
    assertThat(failure.httpStatus()).isEqualTo(429);
    assertThat(failure.retryAfter()).contains(Duration.ofSeconds(7));
    assertThat(failure.getMessage()).contains("rate_limit_exceeded", "Rate limit reached.");
  }

  @Test
  void rateLimitedCallPrefersRetryAfterMilliseconds() {
    server.enqueue(
        error(429, rateLimitBody("Rate limit reached."))
            .addHeader("retry-after-ms", "1500")
            .addHeader("Retry-After", "2")
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.RATE_LIMITED);
    assertThat(failure.httpStatus()).isEqualTo(429);
    assertThat(failure.retryAfter()).contains(Duration.ofMillis(1500));
  }

  @Test
  void retryAfterAsHttpDateCountsFromArrival() {
    String date =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(30).atOffset(ZoneOffset.UTC));
    server.enqueue(error(429, rateLimitBody("Slow down.")).addHeader("Retry-After", date).build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.RATE_LIMITED);
    assertThat(failure.retryAfter()).contains(Duration.ofSeconds(30));
  }

  @Test
  void rateLimitedCallWithoutHeaderTakesTheDelayFromTheMessage() {
    server.enqueue(
        error(
                429,
                rateLimitBody(
                    "Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM):"
                        + " Limit 30000, Used 29937, Requested 385. Please try again in 644ms."))
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.RATE_LIMITED);
    assertThat(failure.httpStatus()).isEqualTo(429);
    assertThat(failure.retryAfter()).contains(Duration.ofMillis(644));
  }

  @Test
  void rateLimitedCallWithoutAnyHintLeavesTheDelayToTheRetryPolicy() {
    server.enqueue(error(429, rateLimitBody("Too many requests.")).build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.RATE_LIMITED);
    assertThat(failure.type().retryable()).isTrue();
    assertThat(failure.retryAfter()).isEmpty();
  }

  @Test
  void exhaustedQuotaIsNotRetryable() {
    server.enqueue(
        error(
                429,
                """
                {"error":{"message":"You exceeded your current quota, please check your plan and \
                billing details.","type":"insufficient_quota","param":null,\
                "code":"insufficient_quota"}}""")
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.QUOTA_EXHAUSTED);
    assertThat(failure.type().retryable()).isFalse();
    assertThat(failure.httpStatus()).isEqualTo(429);
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getMessage()).contains("You exceeded your current quota");
  }

  @Test
  void requestLargerThanTheTokenLimitIsABadRequest() {
    server.enqueue(
        error(
                429,
                rateLimitBody(
                    "Request too large for gpt-4o on tokens per min (TPM): Limit 30000,"
                        + " Requested 36055."))
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.BAD_REQUEST);
    assertThat(failure.httpStatus()).isEqualTo(429);
  }

  @ParameterizedTest
  @ValueSource(ints = {408, 409, 500, 502, 503, 504, 529})
  void serverTroubleIsRetryable(int status) {
    server.enqueue(
        error(status, errorBody("The server had an error.", "server_error", null)).build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.SERVER_ERROR);
    assertThat(failure.type().retryable()).isTrue();
    assertThat(failure.httpStatus()).isEqualTo(status);
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getMessage()).contains("The server had an error.");
    assertThat(server.getRequestCount()).as("the client itself never retries").isEqualTo(1);
  }

  @Test
  void overloadedServerPassesOnItsRetryAfter() {
    server.enqueue(
        error(503, errorBody("The engine is currently overloaded.", "server_error", null))
            .addHeader("Retry-After", "3")
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.SERVER_ERROR);
    assertThat(failure.retryAfter()).contains(Duration.ofSeconds(3));
  }

  @Test
  void serverErrorWithAnHtmlBodyIsStillClassified() {
    server.enqueue(error(502, "<html><body>Bad gateway</body></html>").build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.SERVER_ERROR);
    assertThat(failure.getMessage()).contains("HTTP 502", "Bad gateway");
  }

  @Test
  void badRequestCarriesTheProviderMessageAndRequestId() {
    server.enqueue(
        error(400, errorBody("Invalid image URL.", "invalid_request_error", "invalid_image_url"))
            .addHeader("x-request-id", "req_123")
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.BAD_REQUEST);
    assertThat(failure.type().retryable()).isFalse();
    assertThat(failure.httpStatus()).isEqualTo(400);
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getMessage()).contains("Invalid image URL.", "invalid_image_url", "req_123");
  }

  @Test
  void oversizedRequestIsABadRequest() {
    server.enqueue(
        error(413, errorBody("Request entity too large.", "invalid_request_error", null)).build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.BAD_REQUEST);
    assertThat(failure.httpStatus()).isEqualTo(413);
  }

  @Test
  void vllmFlatErrorEnvelopeIsRead() {
    server.enqueue(
        error(
                400,
                """
                {"object":"error","message":"At most 1 image(s) may be provided in one prompt.",\
                "type":"BadRequestError","param":null,"code":400}""")
            .build());

    ProviderException failure = failure(client(null));

    assertThat(failure.type()).isEqualTo(FailureType.BAD_REQUEST);
    assertThat(failure.getMessage()).contains("At most 1 image(s) may be provided in one prompt.");
  }

  @Test
  void ollamaQueueFullIsARetryableServerError() {
    server.enqueue(
        error(
                503,
                "{\"error\":\"server busy, please try again.  maximum pending requests exceeded\"}")
            .build());

    ProviderException failure = failure(client(null));

    assertThat(failure.type()).isEqualTo(FailureType.SERVER_ERROR);
    assertThat(failure.getMessage()).contains("server busy");
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void rejectedKeyIsAnAuthenticationFailureThatDoesNotQuoteTheKey(int status) {
    server.enqueue(
        error(
                status,
                errorBody(
                    "Incorrect API key provided: " + KEY.value() + ".",
                    "invalid_request_error",
                    "invalid_api_key"))
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.AUTHENTICATION);
    assertThat(failure.type().retryable()).isFalse();
    assertThat(failure.httpStatus()).isEqualTo(status);
    assertThat(failure.getMessage())
        .contains("Incorrect API key provided")
        .doesNotContain(KEY.value());
  }

  @Test
  void unknownModelIsNotFound() {
    server.enqueue(
        error(
                404,
                errorBody(
                    "The model `gpt-9` does not exist.",
                    "invalid_request_error",
                    "model_not_found"))
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.NOT_FOUND);
    assertThat(failure.httpStatus()).isEqualTo(404);
    assertThat(failure.getMessage()).contains("The model `gpt-9` does not exist.");
  }

  @Test
  void refusalIsRefused() {
    server.enqueue(
        ok(
            """
            {"id":"chatcmpl-1","object":"chat.completion","created":1741570283,"model":"gpt-4o",
             "choices":[{"index":0,"message":{"role":"assistant","content":null,
               "refusal":"I can't help with that."},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":100,"completion_tokens":6,"total_tokens":106}}"""));

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.REFUSED);
    assertThat(failure.type().retryable()).isFalse();
    assertThat(failure.httpStatus()).isEqualTo(200);
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getMessage()).contains("I can't help with that.");
  }

  @Test
  void contentFilterIsRefused() {
    server.enqueue(completion("", "content_filter", 100, 0));

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.REFUSED);
    assertThat(failure.httpStatus()).isEqualTo(200);
    assertThat(failure.retryAfter()).isEmpty();
  }

  @Test
  void generationAbortedByTheServerIsARetryableServerError() {
    server.enqueue(completion("", "abort", 100, 0));

    ProviderException failure = failure(client(null));

    assertThat(failure.type()).isEqualTo(FailureType.SERVER_ERROR);
    assertThat(failure.type().retryable()).isTrue();
    assertThat(failure.httpStatus()).isEqualTo(200);
    assertThat(failure.getMessage()).contains("abort");
  }

  @Test
  void unparseableBodyIsMalformedOutput() {
    server.enqueue(ok("{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,"));

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure.type().retryable()).isTrue();
    assertThat(failure.httpStatus()).isEqualTo(200);
    assertThat(failure.retryAfter()).isEmpty();
  }

  @Test
  void bodyThatBreaksOffAfterHeadersIsMalformedOutputNotTransport() {
    String whole = completionJson("A long caption that never fully arrives.", "stop", 10, 9);
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("Content-Type", "application/json")
            .body(whole.substring(0, whole.length() / 2))
            .setHeader("Content-Length", whole.length())
            .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE)
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure.httpStatus()).isEqualTo(200);
    assertThat(failure.getCause()).isInstanceOf(IOException.class);
  }

  @Test
  void responseWithoutChoicesIsMalformedOutput() {
    server.enqueue(
        ok(
            """
            {"id":"chatcmpl-1","object":"chat.completion","created":1741570283,"model":"gpt-4o",
             "choices":[],"usage":{"prompt_tokens":100,"completion_tokens":0,"total_tokens":100}}"""));

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure.httpStatus()).isEqualTo(200);
    assertThat(failure.getMessage()).contains("no choices");
  }

  @Test
  void emptyContentIsMalformedOutput() {
    server.enqueue(completion("   ", "stop", 100, 0));

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
  }

  @Test
  void structuredOutputThatIsNotJsonIsMalformedOutput() {
    server.enqueue(completion("{\"ok\": maybe-so", "stop", 30, 4));

    ProviderException failure = failure(client(KEY), structuredRequest());

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure.httpStatus()).isEqualTo(200);
    assertThat(failure.getMessage()).doesNotContain("maybe-so");
  }

  @Test
  void structuredOutputCutOffAtTheTokenLimitIsMalformedOutput() {
    server.enqueue(completion("{\"ok\":true}", "length", 30, 80));

    ProviderException failure = failure(client(KEY), structuredRequest());

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure.getMessage()).contains("cut off");
  }

  @Test
  void freeTextCutOffAtTheTokenLimitIsReturned() throws Exception {
    server.enqueue(completion("A caption that stops mid", "length", 30, 16));

    ModelResponse response =
        client(KEY).complete(new ModelRequest("gpt-4.1-mini", null, "Describe.", IMAGE, null, 16));

    assertThat(response.text()).isEqualTo("A caption that stops mid");
    assertThat(response.outputTokens()).isEqualTo(16);
  }

  @Test
  void refusedConnectionIsATransportFailure() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    OpenAiClient client =
        new OpenAiClient(
            OpenAiSettings.openAi("http://127.0.0.1:" + closedPort + "/v1", KEY), http);

    ProviderException failure = failure(client);

    assertThat(failure.type()).isEqualTo(FailureType.TRANSPORT);
    assertThat(failure.type().retryable()).isTrue();
    assertThat(failure.httpStatus()).isZero();
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getMessage()).doesNotContain(KEY.value());
  }

  @Test
  void answerSlowerThanTheCallTimeoutIsATransportFailure() {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .body(completionJson("late", "stop", 1, 1))
            .headersDelay(2, TimeUnit.SECONDS)
            .build());
    OpenAiClient client =
        new OpenAiClient(
            new OpenAiSettings(
                server.url("/v1").toString(), KEY, Dialect.OPENAI, Duration.ofMillis(300)),
            http);

    ProviderException failure = failure(client);

    assertThat(failure.type()).isEqualTo(FailureType.TRANSPORT);
    assertThat(failure.httpStatus()).isZero();
  }

  private OpenAiClient client(Secret key) {
    return new OpenAiClient(
        new OpenAiSettings(
            server.url("/v1").toString(), key, Dialect.OPENAI, Duration.ofSeconds(10)),
        http,
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static ModelRequest structuredRequest() {
    JsonNode schema = JSON.createObjectNode().put("type", "object");
    return new ModelRequest(
        "gpt-4.1-mini", null, "Is it?", IMAGE, new OutputSchema("verdict", schema), 80);
  }

  private static ProviderException failure(OpenAiClient client) {
    return failure(client, new ModelRequest("gpt-4.1-mini", null, "Describe.", IMAGE, null, 300));
  }

  private static ProviderException failure(OpenAiClient client, ModelRequest request) {
    ProviderException failure =
        catchThrowableOfType(ProviderException.class, () -> client.complete(request));
    assertThat(failure).as("the call fails").isNotNull();
    return failure;
  }

  private static MockResponse completion(
      String content, String finishReason, int promptTokens, int completionTokens) {
    return ok(completionJson(content, finishReason, promptTokens, completionTokens));
  }

  static String completionJson(
      String content, String finishReason, int promptTokens, int completionTokens) {
    var root = JSON.createObjectNode();
    root.put("id", "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG");
    root.put("object", "chat.completion");
    root.put("created", 1741570283);
    root.put("model", "gpt-4.1-mini-2025-04-14");
    var choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    var message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", content);
    message.putNull("refusal");
    message.putArray("annotations");
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    var usage = root.putObject("usage");
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", promptTokens + completionTokens);
    usage.putObject("prompt_tokens_details").put("cached_tokens", 0);
    root.put("service_tier", "default");
    return root.toString();
  }

  private static MockResponse ok(String json) {
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/json")
        .addHeader("x-request-id", "req_ok")
        .body(json)
        .build();
  }

  private static MockResponse.Builder error(int status, String body) {
    return new MockResponse.Builder()
        .code(status)
        .addHeader("Content-Type", "application/json")
        .body(body);
  }

  private static String rateLimitBody(String message) {
    return errorBody(message, "requests", "rate_limit_exceeded");
  }

  private static String errorBody(String message, String type, String code) {
    var error = JSON.createObjectNode();
    var fields = error.putObject("error");
    fields.put("message", message);
    fields.put("type", type);
    fields.putNull("param");
    if (code == null) {
      fields.putNull("code");
    } else {
      fields.put("code", code);
    }
    return error.toString();
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
