package dev.loupe.provider.anthropic;

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
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeAnthropicServerTest {
  private static final String KEY = "sk-ant-fake-key-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final StructuredOutputs SCHEMAS = new StructuredOutputs(JSON);
  private static final PreparedImage IMAGE =
      new PreparedImage(new byte[] {1, 2, 3, 4}, "image/png", 512, 512);

  private final OkHttpClient http = new OkHttpClient();
  private FakeAnthropicServer fake;
  private AnthropicClient client;

  @BeforeEach
  void startFake() throws IOException {
    fake = FakeAnthropicServer.start(KEY);
    client = client(KEY);
  }

  @AfterEach
  void stopFake() {
    fake.close();
  }

  @Test
  void answersFreeTextAndCountsTheUsageItReported() throws Exception {
    ModelResponse response = client.complete(caption());

    assertThat(response.text()).startsWith("[fake] Fake output from FakeAnthropicServer");
    assertThat(response.inputTokens()).isEqualTo(100 + "Describe the image.".length() / 4 + 1600);
    assertThat(fake.totalInputTokens()).isEqualTo(response.inputTokens());
    assertThat(fake.totalOutputTokens()).isEqualTo(response.outputTokens());
    assertThat(fake.invalidRequestCount()).isZero();
  }

  @Test
  void cacheReadTokensAreReportedApartAndStillCountAsInput() throws Exception {
    fake.setCacheReadTokens(64);

    ModelResponse response = client.complete(caption());

    assertThat(response.inputTokens()).isEqualTo(100 + "Describe the image.".length() / 4 + 1600);
    assertThat(fake.totalInputTokens()).isEqualTo(response.inputTokens());
  }

  @Test
  void forcedToolCallsGetQuestionsAndVerdicts() throws Exception {
    ModelResponse questions =
        client.complete(structured("Ask 3 questions about it.", SCHEMAS.questionsSchema()));
    ModelResponse verdict = client.complete(structured("Judge it.", SCHEMAS.verdictSchema()));

    assertThat(SCHEMAS.parseQuestions(questions.text(), 5)).hasSize(3);
    assertThat(SCHEMAS.parseVerdict(verdict.text()).meaningful()).isTrue();
    assertThat(fake.requests())
        .extracting(r -> r.schemaName())
        .containsExactly("questions", "verdict");
  }

  @Test
  void missingOrWrongKeyIsRefused() {
    ProviderException missing =
        catchThrowableOfType(ProviderException.class, () -> client(null).complete(caption()));
    ProviderException wrong =
        catchThrowableOfType(
            ProviderException.class, () -> client("sk-ant-wrong-000000").complete(caption()));

    assertThat(missing.type()).isEqualTo(FailureType.AUTHENTICATION);
    assertThat(wrong.type()).isEqualTo(FailureType.AUTHENTICATION);
    assertThat(wrong.httpStatus()).isEqualTo(401);
  }

  @Test
  void requestWithoutVersionOrWithExtraFieldsIsRejectedWith400AndCounted() throws IOException {
    String body =
        """
        {"model":"claude-sonnet-4-5","max_tokens":10,"max_completion_tokens":10,
         "messages":[{"role":"user","content":[
           {"type":"image","source":{"type":"base64","media_type":"image/bmp",
             "data":"data:image/bmp;base64,AAAA"}}]}],
         "tool_choice":{"type":"tool","name":"verdict"}}""";
    try (Response withoutVersion = post(body, false);
        Response withVersion = post(body, true)) {
      assertThat(withoutVersion.code()).isEqualTo(400);
      assertThat(withVersion.code()).isEqualTo(400);
      JsonNode error = JSON.readTree(withVersion.body().string());
      assertThat(error.get("type").asText()).isEqualTo("error");
      assertThat(error.at("/error/type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.at("/error/message").asText())
          .contains(
              "max_completion_tokens: Extra inputs are not permitted",
              "media_type",
              "not valid base64",
              "tool 'verdict' not found");
    }
    assertThat(fake.invalidRequestCount()).isEqualTo(2);
  }

  @Test
  void scriptedFailuresReachTheClientAsTheirFailureTypes() {
    fake.failNext(1, FakeAnthropicReply.rateLimited(Duration.ofSeconds(7)));
    fake.failNext(1, FakeAnthropicReply.spendLimit());
    fake.failNext(1, FakeAnthropicReply.overloaded());
    fake.failNext(1, FakeAnthropicReply.badRequest("bad image"));
    fake.failNext(1, FakeAnthropicReply.refusal());
    fake.failNext(1, FakeAnthropicReply.malformedBody());
    fake.failNext(1, FakeAnthropicReply.truncatedBody());

    assertThat(failure())
        .satisfies(f -> assertThat(f.type()).isEqualTo(FailureType.RATE_LIMITED))
        .satisfies(f -> assertThat(f.retryAfter()).contains(Duration.ofSeconds(7)));
    assertThat(failure().type()).isEqualTo(FailureType.QUOTA_EXHAUSTED);
    assertThat(failure().type()).isEqualTo(FailureType.SERVER_ERROR);
    assertThat(failure().type()).isEqualTo(FailureType.BAD_REQUEST);
    assertThat(failure().type()).isEqualTo(FailureType.REFUSED);
    assertThat(failure().type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failure().type()).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(fake.totalInputTokens()).as("no usage counted for failed answers").isZero();
  }

  @Test
  void rateLimitRuleAnswers429WithRetryAfter() throws Exception {
    FakeRateLimit limit = new FakeRateLimit(60, 1);
    fake.setRule(limit.rule(FakeAnthropicReply::rateLimited));

    client.complete(caption());
    ProviderException second = failure();

    assertThat(second.type()).isEqualTo(FailureType.RATE_LIMITED);
    assertThat(second.retryAfter()).contains(Duration.ofSeconds(1));
  }

  private Response post(String body, boolean withVersion) throws IOException {
    Request.Builder request =
        new Request.Builder()
            .url(fake.baseUrl() + FakeAnthropicServer.MESSAGES_PATH)
            .header("x-api-key", KEY)
            .post(RequestBody.create(body, MediaType.get("application/json")));
    if (withVersion) {
      request.header("anthropic-version", "2023-06-01");
    }
    return http.newCall(request.build()).execute();
  }

  private AnthropicClient client(String key) {
    return new AnthropicClient(
        AnthropicSettings.of(fake.baseUrl(), key == null ? null : new Secret(key)), http);
  }

  private ProviderException failure() {
    ProviderException failure =
        catchThrowableOfType(ProviderException.class, () -> client.complete(caption()));
    assertThat(failure).as("the call fails").isNotNull();
    return failure;
  }

  @Test
  void anImageMarkedForThePromptCacheIsWrittenOnceThenRead() throws Exception {
    AnthropicClient caching =
        new AnthropicClient(
            new AnthropicSettings(
                fake.baseUrl(),
                new Secret(KEY),
                AnthropicSettings.DEFAULT_VERSION,
                AnthropicSettings.DEFAULT_CALL_TIMEOUT,
                true),
            http);

    ModelResponse first = caching.complete(caption());
    ModelResponse second = caching.complete(caption());
    ModelResponse unmarked = client.complete(caption());

    assertThat(first.cacheWriteTokens()).isEqualTo(1600);
    assertThat(first.cachedInputTokens()).isZero();
    assertThat(second.cachedInputTokens()).isEqualTo(1600);
    assertThat(second.cacheWriteTokens()).isZero();
    assertThat(second.inputTokens()).isEqualTo(first.inputTokens());
    assertThat(unmarked.cachedInputTokens()).isZero();
    assertThat(fake.invalidRequestCount()).isZero();
  }

  private static ModelRequest caption() {
    return new ModelRequest("claude-sonnet-4-5", null, "Describe the image.", IMAGE, null, 300);
  }

  private static ModelRequest structured(String text, OutputSchema schema) {
    return new ModelRequest("claude-sonnet-4-5", null, text, IMAGE, schema, 300);
  }
}
