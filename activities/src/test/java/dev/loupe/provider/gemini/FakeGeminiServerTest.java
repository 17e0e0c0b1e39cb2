package dev.loupe.provider.gemini;

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
import dev.loupe.provider.fake.FakeRateLimit;
import dev.loupe.stage.StructuredOutputs;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeGeminiServerTest {
  private static final String KEY = "AIzaFakeKey0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final StructuredOutputs SCHEMAS = new StructuredOutputs(JSON);
  private static final PreparedImage IMAGE =
      new PreparedImage(new byte[] {1, 2, 3, 4}, "image/jpeg", 512, 512);

  private final OkHttpClient http = new OkHttpClient();
  private FakeGeminiServer fake;
  private GeminiClient client;

  @BeforeEach
  void startFake() throws IOException {
    fake = FakeGeminiServer.start(KEY);
    client = client(KEY);
  }

  @AfterEach
  void stopFake() {
    fake.close();
  }

  @Test
  void answersFreeTextAndCountsTheUsageItReported() throws Exception {
    ModelResponse response = client.complete(caption());

    assertThat(response.text()).startsWith("[fake] Fake output from FakeGeminiServer");
    assertThat(response.inputTokens()).isEqualTo(100 + "Describe the image.".length() / 4 + 258);
    assertThat(fake.totalPromptTokens()).isEqualTo(response.inputTokens());
    assertThat(fake.totalOutputTokens()).isEqualTo(response.outputTokens());
    assertThat(fake.requests()).singleElement().satisfies(r -> assertThat(r.hasImage()).isTrue());
    assertThat(fake.invalidRequestCount()).isZero();
  }

  @Test
  void thoughtsAreReportedAndCountedAsOutput() throws Exception {
    fake.setThoughtsTokens(25);

    ModelResponse response = client.complete(caption());

    assertThat(response.text()).doesNotContain("thinking about it");
    assertThat(response.outputTokens()).isEqualTo(response.text().length() / 4 + 25);
    assertThat(fake.totalOutputTokens()).isEqualTo(response.outputTokens());
  }

  @Test
  void structuredCallsGetQuestionsAndVerdicts() throws Exception {
    ModelResponse questions =
        client.complete(structured("Ask 2 questions about it.", SCHEMAS.questionsSchema()));
    ModelResponse verdict = client.complete(structured("Judge it.", SCHEMAS.verdictSchema()));

    assertThat(SCHEMAS.parseQuestions(questions.text(), 5)).hasSize(2);
    assertThat(SCHEMAS.parseVerdict(verdict.text()).correct()).isTrue();
  }

  @Test
  void olderModelsOpenApiSchemaIsAcceptedToo() throws Exception {
    ModelResponse verdict =
        client.complete(
            new ModelRequest(
                "gemini-2.0-flash", null, "Judge it.", IMAGE, SCHEMAS.verdictSchema(), 100));

    assertThat(SCHEMAS.parseVerdict(verdict.text()).meaningful()).isTrue();
    assertThat(fake.invalidRequestCount()).isZero();
  }

  @Test
  void missingOrWrongKeyIsRefused() throws Exception {
    ProviderException missing =
        catchThrowableOfType(ProviderException.class, () -> client(null).complete(caption()));
    ProviderException wrong =
        catchThrowableOfType(
            ProviderException.class, () -> client("AIzaWrongKey000000000").complete(caption()));

    assertThat(missing.type()).isEqualTo(FailureType.AUTHENTICATION);
    assertThat(missing.httpStatus()).isEqualTo(403);
    assertThat(wrong.type()).isEqualTo(FailureType.AUTHENTICATION);
    assertThat(wrong.httpStatus()).isEqualTo(400);
  }

  @Test
  void bodyThatBreaksTheReferenceIsRejectedWith400AndCounted() throws IOException {
    String body =
        """
        {"contents":[{"parts":[{"text":"hi","inline_data":{"mime_type":"image/gif","data":"AAAA"}}]}],
         "generationConfig":{"max_tokens":5,"responseJsonSchema":{"type":"object"}}}""";
    Request request =
        new Request.Builder()
            .url(fake.baseUrl() + "/models/gemini-2.5-flash:generateContent")
            .header("x-goog-api-key", KEY)
            .post(RequestBody.create(body, MediaType.get("application/json")))
            .build();
    try (Response response = http.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(400);
      JsonNode error = JSON.readTree(response.body().string()).get("error");
      assertThat(error.get("status").asText()).isEqualTo("INVALID_ARGUMENT");
      assertThat(error.get("message").asText())
          .contains(
              "oneof field 'data' is 2 times",
              "Unsupported MIME type: image/gif",
              "Unknown name \"max_tokens\"",
              "needs response_mime_type application/json");
    }
    assertThat(fake.invalidRequestCount()).isEqualTo(1);
  }

  @Test
  void scriptedFailuresReachTheClientAsTheirFailureTypes() {
    fake.failNext(1, FakeGeminiReply.rateLimited(Duration.ofMillis(2500)));
    fake.failNext(1, FakeGeminiReply.quotaExhausted());
    fake.failNext(1, FakeGeminiReply.serverError(503));
    fake.failNext(1, FakeGeminiReply.badRequest("Unable to process input image."));
    fake.failNext(1, FakeGeminiReply.promptBlocked());
    fake.failNext(1, FakeGeminiReply.safety());
    fake.failNext(1, FakeGeminiReply.malformedBody());
    fake.failNext(1, FakeGeminiReply.truncatedBody());

    assertThat(failure())
        .satisfies(f -> assertThat(f.type()).isEqualTo(FailureType.RATE_LIMITED))
        .satisfies(f -> assertThat(f.retryAfter()).contains(Duration.ofMillis(2500)));
    assertThat(failure().type()).isEqualTo(FailureType.QUOTA_EXHAUSTED);
    assertThat(failure().type()).isEqualTo(FailureType.SERVER_ERROR);
    assertThat(failure().type()).isEqualTo(FailureType.BAD_REQUEST);
    assertThat(failure().type()).isEqualTo(FailureType.REFUSED);
    assertThat(failure().type()).isEqualTo(FailureType.REFUSED);
    assertThat(failure().type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure().type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(fake.totalPromptTokens()).as("no usage counted for failed answers").isZero();
  }

  @Test
  void rateLimitRuleAnswers429BeyondTheLimit() throws Exception {
    FakeRateLimit limit = new FakeRateLimit(60, 2);
    fake.setRule(limit.rule(FakeGeminiReply::rateLimited));

    client.complete(caption());
    client.complete(caption());
    ProviderException third = failure();

    assertThat(third.type()).isEqualTo(FailureType.RATE_LIMITED);
    assertThat(third.retryAfter()).get().isNotNull();
    assertThat(limit.admittedCount()).isEqualTo(2);
    assertThat(limit.refusedCount()).isEqualTo(1);
  }

  @Test
  void ruleSeesTheRequest() throws Exception {
    fake.setRule(
        request ->
            request.text().contains("refuse me")
                ? Optional.of(FakeGeminiReply.safety())
                : Optional.empty());

    client.complete(caption());
    ProviderException refused =
        catchThrowableOfType(
            ProviderException.class,
            () ->
                client.complete(
                    new ModelRequest("gemini-2.5-flash", null, "refuse me", IMAGE, null, 100)));

    assertThat(refused.type()).isEqualTo(FailureType.REFUSED);
    assertThat(fake.requests()).hasSize(2);
    assertThat(fake.requestCount()).isEqualTo(2);
  }

  private GeminiClient client(String key) {
    return new GeminiClient(
        new GeminiSettings(
            fake.baseUrl(), key == null ? null : new Secret(key), Duration.ofSeconds(10)),
        http);
  }

  private ProviderException failure() {
    ProviderException failure =
        catchThrowableOfType(ProviderException.class, () -> client.complete(caption()));
    assertThat(failure).as("the call fails").isNotNull();
    return failure;
  }

  @Test
  void aRequestWithAnImageSeenBeforeReportsItsTokensCached() throws Exception {
    ModelResponse first = client.complete(caption());
    ModelResponse second = client.complete(caption());

    assertThat(first.cachedInputTokens()).isZero();
    assertThat(second.cachedInputTokens()).isEqualTo(258);
    assertThat(second.inputTokens()).isEqualTo(first.inputTokens());
  }

  private static ModelRequest caption() {
    return new ModelRequest("gemini-2.5-flash", null, "Describe the image.", IMAGE, null, 300);
  }

  private static ModelRequest structured(String text, OutputSchema schema) {
    return new ModelRequest("gemini-2.5-flash", null, text, IMAGE, schema, 300);
  }
}
