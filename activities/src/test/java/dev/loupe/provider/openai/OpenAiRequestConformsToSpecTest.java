package dev.loupe.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelRequest.OutputSchema;
import dev.loupe.provider.ModelRequest.PreparedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * The bodies {@link OpenAiClient} really sends, and the ones {@link FakeOpenAiServer} really
 * answers, checked against the official OpenAPI spec (vendored in {@code
 * src/test/resources/specs/}).
 */
class OpenAiRequestConformsToSpecTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PreparedImage IMAGE =
      new PreparedImage(
          new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0x20}, "image/jpeg", 8, 8);
  private static final OpenAiSpec SPEC = OpenAiSpec.load();

  @StartStop private final MockWebServer server = new MockWebServer();
  private final OkHttpClient http = new OkHttpClient();

  @Test
  void textAndImageRequestConforms() throws Exception {
    JsonNode body =
        sent(Dialect.OPENAI, new ModelRequest("gpt-4.1-mini", null, "Describe.", IMAGE, null, 300));

    assertThat(SPEC.requestViolations(body)).isEmpty();
  }

  @Test
  void structuredOutputRequestConforms() throws Exception {
    JsonNode schema =
        JSON.readTree(
            """
            {"type":"object","additionalProperties":false,"required":["questions"],
             "properties":{"questions":{"type":"array","items":{"type":"object",
               "additionalProperties":false,"required":["question","type"],
               "properties":{"question":{"type":"string"},
                             "type":{"type":"string","enum":["reasoning","perception"]}}}}}}""");
    JsonNode body =
        sent(
            Dialect.OPENAI,
            new ModelRequest(
                "gpt-4.1-mini",
                null,
                "Ask 3 questions.",
                IMAGE,
                new OutputSchema("questions", schema),
                500));

    assertThat(body.has("response_format")).isTrue();
    assertThat(SPEC.requestViolations(body)).isEmpty();
  }

  @Test
  void systemPromptRequestConforms() throws Exception {
    JsonNode body =
        sent(
            Dialect.OPENAI,
            new ModelRequest(
                "gpt-4.1-mini", "You are a careful annotator.", "Describe.", IMAGE, null, 300));

    assertThat(body.get("messages")).hasSize(2);
    assertThat(SPEC.requestViolations(body)).isEmpty();
  }

  @Test
  void compatibleDialectRequestConforms() throws Exception {
    JsonNode body =
        sent(
            Dialect.OPENAI_COMPATIBLE,
            new ModelRequest(
                "Qwen/Qwen2.5-VL-7B-Instruct", "Be brief.", "Describe.", IMAGE, null, 300));

    assertThat(body.has("max_tokens")).isTrue();
    assertThat(SPEC.requestViolations(body)).isEmpty();
  }

  @Test
  void validatorRejectsARequestWithoutMessages() throws Exception {
    ObjectNode body = (ObjectNode) validRequest();
    body.remove("messages");

    assertThat(SPEC.requestViolations(body)).anyMatch(v -> v.contains("messages"));
  }

  @Test
  void validatorRejectsAnUnknownImageDetail() throws Exception {
    JsonNode body =
        edited(
            validRequest(),
            root ->
                ((ObjectNode) root.at("/messages/0/content/1/image_url")).put("detail", "ultra"));

    assertThat(SPEC.requestViolations(body)).anyMatch(v -> v.contains("detail"));
  }

  @Test
  void validatorRejectsATokenCapThatIsNotANumber() throws Exception {
    JsonNode body =
        edited(validRequest(), root -> ((ObjectNode) root).put("max_completion_tokens", "many"));

    assertThat(SPEC.requestViolations(body)).anyMatch(v -> v.contains("max_completion_tokens"));
  }

  @Test
  void validatorAcceptsNullWhereTheSpecSaysNullable() throws Exception {
    JsonNode body = edited(validRequest(), root -> ((ObjectNode) root).putNull("max_tokens"));

    assertThat(SPEC.requestViolations(body)).isEmpty();
  }

  @Test
  void fakeServerAnswersConformToTheResponseSchema() throws Exception {
    try (FakeOpenAiServer fake = FakeOpenAiServer.start()) {
      OpenAiClient encoder = new OpenAiClient(OpenAiSettings.openAi(fake.baseUrl(), null), http);
      ModelRequest caption = new ModelRequest("gpt-4.1-mini", null, "Describe.", IMAGE, null, 300);
      ModelRequest questions = structured("questions", "Ask 2 questions.");
      ModelRequest verdict = structured("verdict", "Judge the answer.");
      fake.failNext(1, FakeReply.refusal("I can't help with that."));
      fake.failNext(1, FakeReply.contentFilter());
      fake.failNext(1, FakeReply.malformedJson());

      List<JsonNode> answers =
          List.of(
              answer(fake, encoder.encode(caption)),
              answer(fake, encoder.encode(caption)),
              answer(fake, encoder.encode(verdict)),
              answer(fake, encoder.encode(caption)),
              answer(fake, encoder.encode(questions)),
              answer(fake, encoder.encode(verdict)));

      assertThat(answers).allSatisfy(a -> assertThat(SPEC.responseViolations(a)).isEmpty());
      assertThat(answers.get(0).at("/choices/0/message/refusal").asText())
          .isEqualTo("I can't help with that.");
      assertThat(answers.get(1).at("/choices/0/finish_reason").asText())
          .isEqualTo("content_filter");
      assertThat(answers.get(4).at("/choices/0/message/content").asText()).contains("questions");
    }
  }

  @Test
  void validatorRejectsAResponseWithAnUnknownFinishReason() throws Exception {
    JsonNode response =
        JSON.readTree(
            OpenAiClientTest.completionJson("text", "stop", 10, 2).replace("\"stop\"", "\"done\""));

    assertThat(SPEC.responseViolations(response)).anyMatch(v -> v.contains("finish_reason"));
  }

  @Test
  void validatorRejectsAResponseWithoutChoices() throws Exception {
    ObjectNode response =
        (ObjectNode) JSON.readTree(OpenAiClientTest.completionJson("text", "stop", 10, 2));
    response.remove("choices");

    assertThat(SPEC.responseViolations(response)).anyMatch(v -> v.contains("choices"));
  }

  private JsonNode sent(Dialect dialect, ModelRequest request) throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("Content-Type", "application/json")
            .body(OpenAiClientTest.completionJson("{\"questions\":[]}", "stop", 10, 2))
            .build());
    OpenAiClient client =
        new OpenAiClient(
            new OpenAiSettings(
                server.url("/v1").toString(), null, dialect, OpenAiSettings.DEFAULT_CALL_TIMEOUT),
            http);
    client.complete(request);
    return JSON.readTree(server.takeRequest().getBody().string(StandardCharsets.UTF_8));
  }

  private JsonNode validRequest() throws Exception {
    return sent(
        Dialect.OPENAI, new ModelRequest("gpt-4.1-mini", null, "Describe.", IMAGE, null, 300));
  }

  private static JsonNode edited(JsonNode body, Consumer<JsonNode> edit) {
    JsonNode copy = body.deepCopy();
    edit.accept(copy);
    return copy;
  }

  private JsonNode answer(FakeOpenAiServer fake, byte[] body) throws IOException {
    Request request =
        new Request.Builder()
            .url(fake.baseUrl() + "/chat/completions")
            .post(RequestBody.create(body, MediaType.get("application/json")))
            .build();
    try (Response response = http.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(200);
      return JSON.readTree(response.body().string());
    }
  }

  private static ModelRequest structured(String name, String text) {
    JsonNode schema = JSON.createObjectNode().put("type", "object");
    return new ModelRequest("gpt-4.1-mini", null, text, IMAGE, new OutputSchema(name, schema), 300);
  }
}
