package dev.loupe.provider.gemini;

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

class GeminiClientTest {
  private static final Instant NOW = Instant.parse("2026-03-02T10:15:30Z");
  private static final Secret KEY = new Secret("AIzaFakeGeminiTestKey01");
  private static final byte[] IMAGE_BYTES = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 1, 2, 3};
  private static final PreparedImage IMAGE = new PreparedImage(IMAGE_BYTES, "image/jpeg", 640, 480);
  private static final ObjectMapper JSON = new ObjectMapper();

  @StartStop private final MockWebServer server = new MockWebServer();
  private final OkHttpClient http = new OkHttpClient();

  @Test
  void sendsImageThenTextAsOneUserTurnWithTheKeyHeader() throws Exception {
    server.enqueue(answer("A wooden boardwalk.", "STOP", 265, 12, 0));

    ModelResponse response =
        client(KEY)
            .complete(new ModelRequest("gemini-2.5-flash", null, "Describe it.", IMAGE, null, 300));

    RecordedRequest recorded = server.takeRequest();
    assertThat(recorded.getMethod()).isEqualTo("POST");
    assertThat(recorded.getUrl().encodedPath())
        .isEqualTo("/v1beta/models/gemini-2.5-flash:generateContent");
    assertThat(recorded.getUrl().querySize()).as("the key travels in a header, not ?key=").isZero();
    assertThat(recorded.getHeaders().get("x-goog-api-key")).isEqualTo(KEY.value());
    assertThat(recorded.getHeaders().get("Authorization")).isNull();
    assertThat(recorded.getHeaders().get("Content-Type")).startsWith("application/json");
    JsonNode body = body(recorded);
    assertThat(fieldNames(body)).containsExactlyInAnyOrder("contents", "generationConfig");
    assertThat(body.get("contents")).hasSize(1);
    JsonNode user = body.get("contents").get(0);
    assertThat(user.get("role").asText()).isEqualTo("user");
    assertThat(user.get("parts")).hasSize(2);
    JsonNode image = user.get("parts").get(0);
    assertThat(fieldNames(image)).containsExactly("inline_data");
    assertThat(image.at("/inline_data/mime_type").asText()).isEqualTo("image/jpeg");
    assertThat(Base64.getDecoder().decode(image.at("/inline_data/data").asText()))
        .isEqualTo(IMAGE_BYTES);
    assertThat(fieldNames(user.get("parts").get(1))).containsExactly("text");
    assertThat(user.get("parts").get(1).get("text").asText()).isEqualTo("Describe it.");
    assertThat(fieldNames(body.get("generationConfig"))).containsExactly("maxOutputTokens");
    assertThat(body.at("/generationConfig/maxOutputTokens").asInt()).isEqualTo(300);

    assertThat(response.text()).isEqualTo("A wooden boardwalk.");
    assertThat(response.model()).isEqualTo("gemini-2.5-flash-001");
    assertThat(response.inputTokens()).isEqualTo(265);
    assertThat(response.outputTokens()).isEqualTo(12);
    assertThat(response.latencyMillis()).isNotNegative();
  }

  @Test
  void thinkingTokensCountAsOutputAndThoughtsAreNotTheAnswer() throws Exception {
    server.enqueue(
        ok(
            """
            {"candidates":[{"content":{"role":"model","parts":[
               {"text":"Let me look at the image first.","thought":true},
               {"text":"A red kite."}]},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":300,"candidatesTokenCount":4,
               "thoughtsTokenCount":40,"totalTokenCount":344},
             "modelVersion":"gemini-2.5-flash"}"""));

    ModelResponse response = client(KEY).complete(request());

    assertThat(response.text()).isEqualTo("A red kite.");
    assertThat(response.inputTokens()).isEqualTo(300);
    assertThat(response.outputTokens()).isEqualTo(44);
  }

  @Test
  void systemPromptBecomesTheSystemInstruction() throws Exception {
    server.enqueue(answer("Short.", "STOP", 20, 2, 0));

    client(KEY).complete(new ModelRequest("gemini-2.5-flash", "Be brief.", "Hi", null, null, 50));

    JsonNode body = body(server.takeRequest());
    assertThat(body.at("/systemInstruction/parts/0/text").asText()).isEqualTo("Be brief.");
    assertThat(body.at("/systemInstruction").has("role")).isFalse();
    assertThat(body.at("/contents/0/parts")).hasSize(1);
  }

  @Test
  void structuredCallSendsTheJsonSchemaAsIs() throws Exception {
    JsonNode schema = verdictSchema();
    server.enqueue(answer("{\"ok\":true}", "STOP", 30, 4, 0));

    ModelResponse response =
        client(KEY)
            .complete(
                new ModelRequest(
                    "gemini-2.5-flash",
                    null,
                    "Is it?",
                    IMAGE,
                    new OutputSchema("verdict", schema),
                    80));

    JsonNode config = body(server.takeRequest()).get("generationConfig");
    assertThat(fieldNames(config))
        .containsExactlyInAnyOrder("maxOutputTokens", "responseMimeType", "responseJsonSchema");
    assertThat(config.get("responseMimeType").asText()).isEqualTo("application/json");
    assertThat(config.get("responseJsonSchema")).isEqualTo(schema);
    assertThat(response.text()).isEqualTo("{\"ok\":true}");
  }

  @Test
  void olderModelsGetTheOpenApiSchema() throws Exception {
    server.enqueue(answer("{\"ok\":true}", "STOP", 30, 4, 0));

    client(KEY)
        .complete(
            new ModelRequest(
                "gemini-2.0-flash",
                null,
                "Is it?",
                null,
                new OutputSchema("verdict", verdictSchema()),
                80));

    JsonNode config = body(server.takeRequest()).get("generationConfig");
    assertThat(config.has("responseJsonSchema")).isFalse();
    JsonNode schema = config.get("responseSchema");
    assertThat(schema.get("type").asText()).isEqualTo("OBJECT");
    assertThat(schema.at("/properties/ok/type").asText()).isEqualTo("BOOLEAN");
    assertThat(schema.has("additionalProperties")).isFalse();
    assertThat(schema.get("required").get(0).asText()).isEqualTo("ok");
    assertThat(schema.get("propertyOrdering").get(0).asText()).isEqualTo("ok");
  }

  @Test
  void baseUrlWithoutVersionGetsV1betaAndModelsPrefixIsNotDoubled() throws Exception {
    server.enqueue(answer("ok", "STOP", 10, 1, 0));
    GeminiClient client =
        new GeminiClient(
            new GeminiSettings(server.url("/").toString(), KEY, Duration.ofSeconds(10)), http);

    client.complete(new ModelRequest("models/gemini-2.5-pro", null, "Hi", null, null, 16));

    assertThat(server.takeRequest().getUrl().encodedPath())
        .isEqualTo("/v1beta/models/gemini-2.5-pro:generateContent");
  }

  @Test
  void rateLimitWaitsForRetryInfo() {
    server.enqueue(
        error(
                429,
                status(
                    429,
                    "RESOURCE_EXHAUSTED",
                    "Resource has been exhausted (e.g. check quota).",
                    retryInfo("29.5s"),
                    quotaFailure("GenerateRequestsPerMinutePerProjectPerModel")))
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.RATE_LIMITED);
    assertThat(failure.type().retryable()).isTrue();
    assertThat(failure.httpStatus()).isEqualTo(429);
    assertThat(failure.retryAfter()).contains(Duration.ofMillis(29_500));
    assertThat(failure.getMessage()).contains("RESOURCE_EXHAUSTED", "Resource has been exhausted");
  }

  @Test
  void rateLimitPrefersARetryAfterHeaderFromAGateway() {
    server.enqueue(
        error(429, status(429, "RESOURCE_EXHAUSTED", "Slow down.", retryInfo("30s")))
            .addHeader("Retry-After", "3")
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.RATE_LIMITED);
    assertThat(failure.retryAfter()).contains(Duration.ofSeconds(3));
  }

  @Test
  void rateLimitWithoutAnyHintLeavesTheDelayToTheRetryPolicy() {
    server.enqueue(error(429, status(429, "RESOURCE_EXHAUSTED", "Too many requests.")).build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.RATE_LIMITED);
    assertThat(failure.retryAfter()).isEmpty();
  }

  @Test
  void perDayQuotaIsExhaustedNotRateLimited() {
    server.enqueue(
        error(
                429,
                status(
                    429,
                    "RESOURCE_EXHAUSTED",
                    "You exceeded your current quota, please check your plan and billing details.",
                    quotaFailure("GenerateRequestsPerDayPerProjectPerModel-FreeTier"),
                    retryInfo("47s")))
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.QUOTA_EXHAUSTED);
    assertThat(failure.type().retryable()).isFalse();
    assertThat(failure.httpStatus()).isEqualTo(429);
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getMessage())
        .contains("You exceeded your current quota", "GenerateRequestsPerDayPerProjectPerModel");
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 503, 504, 529})
  void serverTroubleIsRetryable(int status) {
    server.enqueue(
        error(status, status(status, "UNAVAILABLE", "The model is overloaded.")).build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.SERVER_ERROR);
    assertThat(failure.type().retryable()).isTrue();
    assertThat(failure.httpStatus()).isEqualTo(status);
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getMessage()).contains("The model is overloaded.");
    assertThat(server.getRequestCount()).as("the client itself never retries").isEqualTo(1);
  }

  @Test
  void invalidArgumentIsABadRequestWithTheProviderMessage() {
    server.enqueue(
        error(400, status(400, "INVALID_ARGUMENT", "Unable to process input image.")).build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.BAD_REQUEST);
    assertThat(failure.type().retryable()).isFalse();
    assertThat(failure.httpStatus()).isEqualTo(400);
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getMessage()).contains("INVALID_ARGUMENT", "Unable to process input image.");
  }

  @Test
  void invalidKeyBehindA400IsAnAuthenticationFailure() {
    server.enqueue(
        error(
                400,
                status(
                    400,
                    "INVALID_ARGUMENT",
                    "API key not valid. Please pass a valid API key.",
                    errorInfo("API_KEY_INVALID")))
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.AUTHENTICATION);
    assertThat(failure.type().retryable()).isFalse();
    assertThat(failure.getMessage()).doesNotContain(KEY.value());
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void rejectedKeyIsAnAuthenticationFailure(int status) {
    server.enqueue(
        error(
                status,
                status(status, "PERMISSION_DENIED", "Key " + KEY.value() + " lacks permission."))
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.AUTHENTICATION);
    assertThat(failure.httpStatus()).isEqualTo(status);
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getMessage()).contains("lacks permission").doesNotContain(KEY.value());
  }

  @Test
  void unknownModelIsNotFound() {
    server.enqueue(
        error(404, status(404, "NOT_FOUND", "models/gemini-9 is not found for API version v1beta"))
            .build());

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.NOT_FOUND);
    assertThat(failure.getMessage()).contains("models/gemini-9 is not found");
  }

  @Test
  void blockedPromptIsRefused() {
    server.enqueue(
        ok(
            """
            {"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[
               {"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH"}]},
             "usageMetadata":{"promptTokenCount":270,"totalTokenCount":270},
             "modelVersion":"gemini-2.5-flash"}"""));

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.REFUSED);
    assertThat(failure.type().retryable()).isFalse();
    assertThat(failure.httpStatus()).isEqualTo(200);
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getMessage()).contains("prompt blocked", "SAFETY");
  }

  @ParameterizedTest
  @ValueSource(strings = {"SAFETY", "RECITATION", "PROHIBITED_CONTENT", "IMAGE_SAFETY"})
  void outputBlockedBySafetyIsRefusedEvenWithoutParts(String reason) {
    server.enqueue(
        ok(
            """
            {"candidates":[{"finishReason":"%s","index":0,"safetyRatings":[]}],
             "usageMetadata":{"promptTokenCount":270,"totalTokenCount":270}}"""
                .formatted(reason)));

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.REFUSED);
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getMessage()).contains(reason);
  }

  @Test
  void unparseableBodyIsMalformedOutput() {
    server.enqueue(ok("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"A"));

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure.type().retryable()).isTrue();
    assertThat(failure.httpStatus()).isEqualTo(200);
    assertThat(failure.retryAfter()).isEmpty();
  }

  @Test
  void bodyThatBreaksOffIsMalformedOutputNotTransport() {
    String whole = answerJson("A long caption that never fully arrives.", "STOP", 10, 9, 0);
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
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getCause()).isInstanceOf(IOException.class);
  }

  @Test
  void structuredOutputThatIsNotJsonIsMalformedOutputWithoutQuotingIt() {
    server.enqueue(answer("{\"ok\": maybe-so", "STOP", 30, 4, 0));

    ProviderException failure = failure(client(KEY), structuredRequest());

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure.getMessage()).doesNotContain("maybe-so");
  }

  @Test
  void structuredOutputCutOffAtTheTokenLimitIsMalformedOutput() {
    server.enqueue(answer("{\"ok\":tr", "MAX_TOKENS", 30, 80, 0));

    ProviderException failure = failure(client(KEY), structuredRequest());

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure.getMessage()).contains("cut off");
  }

  @Test
  void freeTextCutOffAtTheTokenLimitIsReturned() throws Exception {
    server.enqueue(answer("A caption that stops mid", "MAX_TOKENS", 30, 16, 0));

    ModelResponse response = client(KEY).complete(request());

    assertThat(response.text()).isEqualTo("A caption that stops mid");
  }

  @Test
  void tokenLimitSpentOnThinkingIsMalformedOutput() {
    server.enqueue(
        ok(
            """
            {"candidates":[{"content":{"role":"model"},"finishReason":"MAX_TOKENS","index":0}],
             "usageMetadata":{"promptTokenCount":300,"thoughtsTokenCount":300}}"""));

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure.getMessage()).contains("empty content", "MAX_TOKENS");
  }

  @Test
  void responseWithoutCandidatesOrBlockIsMalformedOutput() {
    server.enqueue(ok("{\"usageMetadata\":{\"promptTokenCount\":10}}"));

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure.getMessage()).contains("no candidates");
  }

  @Test
  void otherFinishReasonIsMalformedOutput() {
    server.enqueue(answer("partial", "OTHER", 10, 1, 0));

    ProviderException failure = failure(client(KEY));

    assertThat(failure.type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure.getMessage()).contains("OTHER");
  }

  @Test
  void refusedConnectionIsATransportFailure() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    GeminiClient client =
        new GeminiClient(
            new GeminiSettings(
                "http://127.0.0.1:" + closedPort + "/v1beta", KEY, Duration.ofSeconds(5)),
            http);

    ProviderException failure = failure(client);

    assertThat(failure.type()).isEqualTo(FailureType.TRANSPORT);
    assertThat(failure.httpStatus()).isZero();
    assertThat(failure.retryAfter()).isEmpty();
    assertThat(failure.getMessage()).startsWith("Gemini API call to").doesNotContain(KEY.value());
  }

  @Test
  void answerSlowerThanTheCallTimeoutIsATransportFailure() {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .body(answerJson("late", "STOP", 1, 1, 0))
            .headersDelay(2, TimeUnit.SECONDS)
            .build());
    GeminiClient client =
        new GeminiClient(
            new GeminiSettings(server.url("/v1beta").toString(), KEY, Duration.ofMillis(300)),
            http);

    ProviderException failure = failure(client);

    assertThat(failure.type()).isEqualTo(FailureType.TRANSPORT);
  }

  private GeminiClient client(Secret key) {
    return new GeminiClient(
        new GeminiSettings(server.url("/v1beta").toString(), key, Duration.ofSeconds(10)),
        http,
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static ModelRequest request() {
    return new ModelRequest("gemini-2.5-flash", null, "Describe.", IMAGE, null, 300);
  }

  private static ModelRequest structuredRequest() {
    return new ModelRequest(
        "gemini-2.5-flash",
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

  private static ProviderException failure(GeminiClient client) {
    return failure(client, request());
  }

  private static ProviderException failure(GeminiClient client, ModelRequest request) {
    ProviderException failure =
        catchThrowableOfType(ProviderException.class, () -> client.complete(request));
    assertThat(failure).as("the call fails").isNotNull();
    return failure;
  }

  private static MockResponse answer(
      String text, String finishReason, int promptTokens, int candidateTokens, int thoughtTokens) {
    return ok(answerJson(text, finishReason, promptTokens, candidateTokens, thoughtTokens));
  }

  static String answerJson(
      String text, String finishReason, int promptTokens, int candidateTokens, int thoughtTokens) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode candidate = root.putArray("candidates").addObject();
    ObjectNode content = candidate.putObject("content");
    content.put("role", "model");
    content.putArray("parts").addObject().put("text", text);
    candidate.put("finishReason", finishReason);
    candidate.put("index", 0);
    ObjectNode usage = root.putObject("usageMetadata");
    usage.put("promptTokenCount", promptTokens);
    usage.put("candidatesTokenCount", candidateTokens);
    if (thoughtTokens > 0) {
      usage.put("thoughtsTokenCount", thoughtTokens);
    }
    usage.put("totalTokenCount", promptTokens + candidateTokens + thoughtTokens);
    root.put("modelVersion", "gemini-2.5-flash-001");
    root.put("responseId", "resp-1");
    return root.toString();
  }

  private static MockResponse ok(String json) {
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/json; charset=UTF-8")
        .body(json)
        .build();
  }

  private static MockResponse.Builder error(int status, String body) {
    return new MockResponse.Builder()
        .code(status)
        .addHeader("Content-Type", "application/json; charset=UTF-8")
        .body(body);
  }

  private static String status(int code, String status, String message, JsonNode... details) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("code", code);
    error.put("message", message);
    error.put("status", status);
    if (details.length > 0) {
      error.putArray("details").addAll(List.of(details));
    }
    return root.toString();
  }

  private static JsonNode retryInfo(String delay) {
    return JSON.createObjectNode()
        .put("@type", "type.googleapis.com/google.rpc.RetryInfo")
        .put("retryDelay", delay);
  }

  private static JsonNode quotaFailure(String quotaId) {
    ObjectNode detail =
        JSON.createObjectNode().put("@type", "type.googleapis.com/google.rpc.QuotaFailure");
    detail
        .putArray("violations")
        .addObject()
        .put("quotaMetric", "generativelanguage.googleapis.com/generate_content_requests")
        .put("quotaId", quotaId);
    return detail;
  }

  private static JsonNode errorInfo(String reason) {
    return JSON.createObjectNode()
        .put("@type", "type.googleapis.com/google.rpc.ErrorInfo")
        .put("reason", reason)
        .put("domain", "googleapis.com");
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
