package dev.loupe.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.FailureType;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelRequest.OutputSchema;
import dev.loupe.provider.ModelRequest.PreparedImage;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderException;
import dev.loupe.provider.Secret;
import dev.loupe.provider.fake.FakeRequest;
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

class FakeOpenAiServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PreparedImage IMAGE_A =
      new PreparedImage(new byte[] {1, 2, 3, 4}, "image/jpeg", 512, 512);
  private static final PreparedImage IMAGE_B =
      new PreparedImage(new byte[] {5, 6, 7, 8}, "image/jpeg", 512, 512);

  private final OkHttpClient http = new OkHttpClient();
  private FakeOpenAiServer fake;
  private OpenAiClient client;

  @BeforeEach
  void startFake() throws IOException {
    fake = FakeOpenAiServer.start();
    client = new OpenAiClient(OpenAiSettings.openAi(fake.baseUrl(), null), http);
  }

  @AfterEach
  void stopFake() {
    fake.close();
  }

  @Test
  void servesOnLoopbackUnderV1() {
    assertThat(fake.baseUrl()).isEqualTo("http://127.0.0.1:" + fake.port() + "/v1");
  }

  @Test
  void freeTextIsMarkedFakeAndDependsOnTheImage() throws Exception {
    ModelResponse first = client.complete(caption(IMAGE_A));
    ModelResponse again = client.complete(caption(IMAGE_A));
    ModelResponse other = client.complete(caption(IMAGE_B));

    assertThat(first.text()).startsWith("[fake] ").hasSizeGreaterThanOrEqualTo(300);
    assertThat(again.text()).isEqualTo(first.text());
    assertThat(other.text()).isNotEqualTo(first.text());
    assertThat(first.model()).isEqualTo("gpt-4.1-mini");
  }

  @Test
  void countsRequestsAndTheUsageItReported() throws Exception {
    ModelResponse first = client.complete(caption(IMAGE_A));
    ModelResponse second =
        client.complete(
            new ModelRequest("gpt-4.1-mini", "Be brief.", "Hello there", null, null, 50));

    assertThat(fake.requestCount()).isEqualTo(2);
    assertThat(fake.totalPromptTokens()).isEqualTo(first.inputTokens() + second.inputTokens());
    assertThat(fake.totalCompletionTokens())
        .isEqualTo(first.outputTokens() + second.outputTokens());
    assertThat(first.inputTokens()).isEqualTo(100 + "Describe the image.".length() / 4 + 85);
    assertThat(second.inputTokens())
        .isEqualTo(100 + ("Be brief.".length() + "Hello there".length()) / 4);
    assertThat(fake.requests())
        .extracting(FakeRequest::model, FakeRequest::hasImage, FakeRequest::schemaName)
        .containsExactly(tuple("gpt-4.1-mini", true, null), tuple("gpt-4.1-mini", false, null));
    assertThat(fake.requests().get(1).system()).isEqualTo("Be brief.");
  }

  @Test
  void questionsCallGetsAsManyQuestionsAsThePromptAsksFor() throws Exception {
    ModelResponse response =
        client.complete(structured("questions", "Write 3 questions about this image."));

    JsonNode questions = JSON.readTree(response.text()).get("questions");
    assertThat(questions).hasSize(3);
    assertThat(questions.get(0).get("question").asText()).startsWith("[fake] ");
    assertThat(questions.get(0).get("type").asText()).isEqualTo("reasoning");
    assertThat(fake.requests().get(0).schemaName()).isEqualTo("questions");
  }

  @Test
  void questionCountCanBeFixed() throws Exception {
    fake.setQuestionCount(2);

    ModelResponse response = client.complete(structured("questions", "Ask 5 questions."));

    assertThat(JSON.readTree(response.text()).get("questions")).hasSize(2);
  }

  @Test
  void verdictFollowsWhatTheTestSets() throws Exception {
    JsonNode before = JSON.readTree(client.complete(structured("verdict", "Judge.")).text());
    fake.setVerdict(false, true);
    JsonNode after = JSON.readTree(client.complete(structured("verdict", "Judge.")).text());

    assertThat(before.get("meaningful").asBoolean()).isTrue();
    assertThat(before.get("correct").asBoolean()).isTrue();
    assertThat(after.get("meaningful").asBoolean()).isFalse();
    assertThat(after.get("correct").asBoolean()).isTrue();
  }

  @Test
  void unknownSchemaNameIsABadRequestUntilTaught() throws Exception {
    ProviderException failure =
        catchThrowableOfType(
            ProviderException.class, () -> client.complete(structured("ocr", "Read the text.")));
    fake.answerSchema("ocr", request -> "{\"text\":\"[fake]\"}");
    ModelResponse taught = client.complete(structured("ocr", "Read the text."));

    assertThat(failure.type()).isEqualTo(FailureType.BAD_REQUEST);
    assertThat(failure.getMessage()).contains("ocr");
    assertThat(taught.text()).isEqualTo("{\"text\":\"[fake]\"}");
  }

  @Test
  void bodyThatBreaksTheSpecIsRejectedWith400AndCounted() throws IOException {
    Request request =
        new Request.Builder()
            .url(fake.baseUrl() + "/chat/completions")
            .post(
                RequestBody.create(
                    "{\"model\":\"gpt-4.1-mini\",\"max_completion_tokens\":5}",
                    MediaType.get("application/json")))
            .build();

    try (Response response = http.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(400);
      JsonNode error = JSON.readTree(response.body().string()).get("error");
      assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.get("message").asText()).contains("messages");
    }
    assertThat(fake.invalidRequestCount()).isEqualTo(1);
    assertThat(fake.requests()).isEmpty();
    assertThat(fake.requestCount()).isEqualTo(1);
  }

  @Test
  void configuredKeyIsRequired() throws Exception {
    try (FakeOpenAiServer guarded = FakeOpenAiServer.start(0, "sk-fake-key")) {
      OpenAiClient withoutKey =
          new OpenAiClient(OpenAiSettings.openAi(guarded.baseUrl(), null), http);
      OpenAiClient withKey =
          new OpenAiClient(
              OpenAiSettings.openAi(guarded.baseUrl(), new Secret("sk-fake-key")), http);

      ProviderException failure =
          catchThrowableOfType(
              ProviderException.class, () -> withoutKey.complete(caption(IMAGE_A)));
      ModelResponse response = withKey.complete(caption(IMAGE_A));

      assertThat(failure.type()).isEqualTo(FailureType.AUTHENTICATION);
      assertThat(response.text()).startsWith("[fake]");
    }
  }

  @Test
  void failNextFailsOnlyTheNextRequests() throws Exception {
    fake.failNext(2, FakeReply.rateLimited(Duration.ofMillis(50)));

    ProviderException first =
        catchThrowableOfType(ProviderException.class, () -> client.complete(caption(IMAGE_A)));
    ProviderException second =
        catchThrowableOfType(ProviderException.class, () -> client.complete(caption(IMAGE_A)));
    ModelResponse third = client.complete(caption(IMAGE_A));

    assertThat(first.type()).isEqualTo(FailureType.RATE_LIMITED);
    assertThat(first.retryAfter()).contains(Duration.ofMillis(50));
    assertThat(second.type()).isEqualTo(FailureType.RATE_LIMITED);
    assertThat(third.text()).startsWith("[fake]");
    assertThat(fake.totalCompletionTokens()).isEqualTo(third.outputTokens());
  }

  @Test
  void ruleAnswersMatchingRequests() throws Exception {
    fake.setRule(
        request ->
            request.structured()
                ? Optional.of(FakeReply.refusal("I can't judge that."))
                : Optional.empty());

    ProviderException refused =
        catchThrowableOfType(
            ProviderException.class, () -> client.complete(structured("verdict", "Judge.")));
    ModelResponse caption = client.complete(caption(IMAGE_A));

    assertThat(refused.type()).isEqualTo(FailureType.REFUSED);
    assertThat(caption.text()).startsWith("[fake]");
  }

  @Test
  void scriptedFailuresReachTheClientAsTheirFailureTypes() {
    fake.failNext(1, FakeReply.quotaExhausted());
    fake.failNext(1, FakeReply.serverError(503));
    fake.failNext(1, FakeReply.contentFilter());
    fake.failNext(1, FakeReply.malformedJson());
    fake.failNext(1, FakeReply.truncatedBody());
    fake.failNext(1, FakeReply.unauthorized());

    assertThat(failureOf(structured("questions", "Ask."))).isEqualTo(FailureType.QUOTA_EXHAUSTED);
    assertThat(failureOf(structured("questions", "Ask."))).isEqualTo(FailureType.SERVER_ERROR);
    assertThat(failureOf(structured("questions", "Ask."))).isEqualTo(FailureType.REFUSED);
    assertThat(failureOf(structured("questions", "Ask."))).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failureOf(structured("questions", "Ask."))).isEqualTo(FailureType.MALFORMED_OUTPUT);
    assertThat(failureOf(structured("questions", "Ask."))).isEqualTo(FailureType.AUTHENTICATION);
  }

  @Test
  void delayedReplyArrivesLate() throws Exception {
    fake.failNext(1, FakeReply.delay(Duration.ofMillis(300)));

    ModelResponse response = client.complete(caption(IMAGE_A));

    assertThat(response.latencyMillis()).isGreaterThanOrEqualTo(300);
    assertThat(response.text()).startsWith("[fake]");
  }

  private FailureType failureOf(ModelRequest request) {
    ProviderException failure =
        catchThrowableOfType(ProviderException.class, () -> client.complete(request));
    assertThat(failure).isNotNull();
    return failure.type();
  }

  @Test
  void aRequestThatStartsWithAnImageSeenBeforeReportsItsTokensCached() throws Exception {
    ModelResponse first = client.complete(caption(IMAGE_A));
    ModelResponse textOnly =
        client.complete(new ModelRequest("gpt-4.1-mini", null, "Hello", null, null, 50));
    ModelResponse second = client.complete(caption(IMAGE_A));
    ModelResponse other = client.complete(caption(IMAGE_B));

    assertThat(first.cachedInputTokens()).isZero();
    assertThat(textOnly.cachedInputTokens()).isZero();
    assertThat(second.cachedInputTokens()).isEqualTo(85);
    assertThat(second.inputTokens()).isEqualTo(first.inputTokens());
    assertThat(other.cachedInputTokens()).isZero();
  }

  private static ModelRequest caption(PreparedImage image) {
    return new ModelRequest("gpt-4.1-mini", null, "Describe the image.", image, null, 300);
  }

  private static ModelRequest structured(String name, String text) {
    JsonNode schema = JSON.createObjectNode().put("type", "object");
    return new ModelRequest(
        "gpt-4.1-mini", null, text, IMAGE_A, new OutputSchema(name, schema), 300);
  }
}
