package dev.loupe.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.contract.FailureType;
import dev.loupe.provider.CaptionScorer;
import dev.loupe.provider.ModelRequest.PreparedImage;
import dev.loupe.provider.ProviderException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PromptLogprobScorerTest {
  private static final String CAPTION = "A red car parked on a street.";
  private static final PreparedImage IMAGE =
      new PreparedImage(new byte[] {1, 2, 3}, "image/png", 4, 3);

  private FakeVllmServer vllm;
  private PromptLogprobScorer scorer;

  @BeforeEach
  void start() throws IOException {
    vllm = FakeVllmServer.start();
    scorer =
        new PromptLogprobScorer(
            new OpenAiSettings(
                vllm.baseUrl(), null, Dialect.OPENAI_COMPATIBLE, Duration.ofSeconds(10)),
            new OkHttpClient());
  }

  @AfterEach
  void stop() {
    vllm.close();
  }

  private CaptionScorer.Score score(String caption) throws ProviderException {
    return scorer.score(
        new CaptionScorer.Request("loupe-tiny-untrained", "Describe this image.", IMAGE, caption));
  }

  @Test
  void sendsTheCaptionAsAContinuedAssistantTurnAfterTheImage() throws Exception {
    score(CAPTION);

    assertThat(vllm.paths()).containsExactly("/tokenize", "/v1/chat/completions");
    JsonNode tokenize = vllm.tokenizeBodies().get(0);
    assertThat(tokenize.path("prompt").asText()).isEqualTo(CAPTION);
    assertThat(tokenize.path("add_special_tokens").asBoolean(true)).isFalse();
    assertThat(tokenize.path("model").asText()).isEqualTo("loupe-tiny-untrained");

    JsonNode chat = vllm.chatBodies().get(0);
    assertThat(chat.path("messages")).hasSize(2);
    JsonNode user = chat.path("messages").get(0);
    assertThat(user.path("role").asText()).isEqualTo("user");
    assertThat(user.path("content").get(0).path("type").asText()).isEqualTo("image_url");
    assertThat(user.path("content").get(0).path("image_url").path("url").asText())
        .isEqualTo("data:image/png;base64,AQID");
    assertThat(user.path("content").get(1).path("text").asText()).isEqualTo("Describe this image.");
    JsonNode assistant = chat.path("messages").get(1);
    assertThat(assistant.path("role").asText()).isEqualTo("assistant");
    assertThat(assistant.path("content").asText()).isEqualTo(CAPTION);
    assertThat(chat.path("add_generation_prompt").asBoolean(true)).isFalse();
    assertThat(chat.path("continue_final_message").asBoolean()).isTrue();
    assertThat(chat.path("max_tokens").asInt()).isEqualTo(1);
    assertThat(chat.path("prompt_logprobs").asInt(-1)).isZero();
    assertThat(chat.path("return_token_ids").asBoolean()).isTrue();
  }

  @Test
  void perplexityIsTheExponentOfTheCaptionTokensMeanNegativeLogprob() throws Exception {
    vllm.logprobOf = text -> text.equals(" car") ? -5.0 : -1.0;

    CaptionScorer.Score score = score(CAPTION);

    // "A", " red", " car", " parked", " on", " a", " street", "." — the last 8 prompt tokens.
    assertThat(score.tokens()).isEqualTo(8);
    assertThat(score.logprobs()).containsExactly(-1, -1, -5, -1, -1, -1, -1, -1);
    assertThat(score.meanLogprob()).isCloseTo(-1.5, within(1e-12));
    assertThat(score.perplexity()).isCloseTo(Math.exp(1.5), within(1e-9));
    assertThat(score.promptTokens()).isGreaterThan(8 + 4);
    assertThat(score.model()).isEqualTo("loupe-tiny-untrained");
  }

  @Test
  void theCaptionsOwnTokenIsReadWhenEntriesHoldAlternatives() throws Exception {
    vllm.alternatives = 2;
    vllm.logprobOf = text -> text.startsWith("alt") ? -0.1 : -2.0;

    CaptionScorer.Score score = score(CAPTION);

    assertThat(score.logprobs()).containsOnly(-2.0);
  }

  @Test
  void aServerThatAnswersWithoutPromptLogprobsIsABadRequestNamingIt() {
    vllm.ignorePromptLogprobs = true;

    assertThatThrownBy(() -> score(CAPTION))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.type()).isEqualTo(FailureType.BAD_REQUEST))
        .hasMessageContaining("answered without prompt_logprobs")
        .hasMessageContaining("127.0.0.1:");
  }

  @Test
  void aPromptWhoseTailIsNotTheCaptionIsMalformed() {
    vllm.shiftTail = true;

    assertThatThrownBy(() -> score(CAPTION))
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> assertThat(e.type()).isEqualTo(FailureType.MALFORMED_OUTPUT))
        .hasMessageContaining("are not the caption's");
  }

  @Test
  void errorStatusesAreClassifiedAsForChatCalls() {
    vllm.failWith = 503;
    assertThatThrownBy(() -> score(CAPTION))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.type()).isEqualTo(FailureType.SERVER_ERROR));
    vllm.failWith = 400;
    assertThatThrownBy(() -> score(CAPTION))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.type()).isEqualTo(FailureType.BAD_REQUEST));
  }

  @Test
  void aNonFiniteLogprobLeavesNoPerplexity() throws Exception {
    vllm.logprobOf = text -> text.equals(" car") ? Double.NEGATIVE_INFINITY : -1.0;

    CaptionScorer.Score score = score(CAPTION);

    assertThat(score.perplexity()).isNull();
    assertThat(score.meanLogprob()).isNull();
  }

  @Test
  void textAloneIsScoredWithoutAnImagePart() throws Exception {
    scorer.score(new CaptionScorer.Request("m", "Describe this image.", null, "A boat."));

    assertThat(vllm.chatBodies().get(0).path("messages").get(0).path("content")).hasSize(1);
  }

  @Test
  void tokenizeIsAtTheServerRootWhateverThePrefix() {
    for (List<String> pair :
        List.of(
            List.of("http://h:8000/v1", "http://h:8000/tokenize"),
            List.of("http://h:8000/v1/", "http://h:8000/tokenize"),
            List.of("http://h/vllm/v1", "http://h/vllm/tokenize"),
            List.of("http://h:9/", "http://h:9/tokenize"))) {
      PromptLogprobScorer scorer =
          new PromptLogprobScorer(OpenAiSettings.compatible(pair.get(0), null), new OkHttpClient());
      assertThat(scorer.tokenizeUrl().toString()).isEqualTo(pair.get(1));
    }
  }
}
