package dev.loupe.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.FailureType;
import dev.loupe.provider.ModelRequest.PreparedImage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The online lane posts exactly the codec's body, and the codec reads answers without HTTP. */
class ProviderCodecTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final PreparedImage IMAGE =
      new PreparedImage(new byte[] {1, 2, 3, 4}, "image/png", 32, 32);
  private static final ModelRequest REQUEST =
      new ModelRequest("m-1", null, "Describe it.", IMAGE, null, 200);
  private static final ObjectMapper JSON = new ObjectMapper();

  @StartStop private final MockWebServer server = new MockWebServer();

  @ParameterizedTest
  @EnumSource(ProviderKind.class)
  void onlineClientPostsTheCodecsBodyToTheCodecsUrl(ProviderKind kind) throws Exception {
    String baseUrl = server.url("/v1").toString();
    ProviderCodec codec = ProviderClients.codec(kind, baseUrl, new Secret("k-1"), TIMEOUT);
    server.enqueue(new MockResponse.Builder().code(200).body(answer(kind)).build());

    ModelResponse response =
        new ProviderClients(new OkHttpClient())
            .create(kind, baseUrl, new Secret("k-1"), TIMEOUT)
            .complete(REQUEST);

    RecordedRequest recorded = server.takeRequest();
    assertThat(recorded.getUrl()).isEqualTo(codec.url("m-1"));
    assertThat(JSON.readTree(recorded.getBody().string(StandardCharsets.UTF_8)))
        .isEqualTo(JSON.readTree(codec.encodeBytes(REQUEST)));
    assertThat(response.text()).isEqualTo("A cat.");
    assertThat(response.inputTokens()).isEqualTo(30);
    assertThat(response.outputTokens()).isEqualTo(5);
  }

  @ParameterizedTest
  @EnumSource(ProviderKind.class)
  void encodingIsDeterministic(ProviderKind kind) {
    ProviderCodec codec = ProviderClients.codec(kind, "http://127.0.0.1:9/v1", null, TIMEOUT);
    ModelRequest same = new ModelRequest("m-1", null, "Describe it.", IMAGE, null, 200);

    assertThat(codec.encodeBytes(same)).isEqualTo(codec.encodeBytes(REQUEST));
    assertThat(codec.encodeBytes(new ModelRequest("m-1", null, "Describe this.", IMAGE, null, 200)))
        .isNotEqualTo(codec.encodeBytes(REQUEST));
  }

  @ParameterizedTest
  @EnumSource(ProviderKind.class)
  void decodesAnAnswerBodyWithoutHttp(ProviderKind kind) throws Exception {
    ProviderCodec codec = ProviderClients.codec(kind, "http://127.0.0.1:9/v1", null, TIMEOUT);

    ModelResponse response =
        codec.decode(
            REQUEST,
            new ProviderCodec.Answer(200, answer(kind).getBytes(StandardCharsets.UTF_8), null, 0));

    assertThat(response.text()).isEqualTo("A cat.");
    assertThat(response.inputTokens()).isEqualTo(30);
  }

  @Test
  void classifiesAnErrorBodyWithoutHttp() {
    ProviderCodec codec =
        ProviderClients.codec(ProviderKind.OPENAI, "http://127.0.0.1:9/v1", null, TIMEOUT);

    ProviderException failure =
        codec.classify(
            429,
            Headers.of(),
            "{\"error\":{\"message\":\"You exceeded your current quota\","
                + "\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}",
            "req_1",
            Instant.EPOCH);

    assertThat(failure.type()).isEqualTo(FailureType.QUOTA_EXHAUSTED);
    assertThat(failure.getMessage()).contains("req_1");
  }

  private static String answer(ProviderKind kind) {
    return switch (kind) {
      case OPENAI, OPENAI_COMPATIBLE ->
          """
          {"model":"m-1","choices":[{"index":0,"message":{"role":"assistant","content":"A cat."},
           "finish_reason":"stop"}],"usage":{"prompt_tokens":30,"completion_tokens":5}}""";
      case ANTHROPIC ->
          """
          {"model":"m-1","type":"message","content":[{"type":"text","text":"A cat."}],
           "stop_reason":"end_turn","usage":{"input_tokens":30,"output_tokens":5}}""";
      case GEMINI ->
          """
          {"candidates":[{"content":{"role":"model","parts":[{"text":"A cat."}]},
           "finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":30,
           "candidatesTokenCount":5}}""";
    };
  }
}
