package dev.loupe.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.batch.BatchApi;
import dev.loupe.batch.BatchHttp;
import dev.loupe.contract.BatchPoll;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderException;
import dev.loupe.provider.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gemini Batch Mode's two inputs against the fake: a small batch goes inline and is answered in
 * {@code inlinedResponses}; one over the inline limit is uploaded through the Files API's resumable
 * protocol and answered in a responses file. Both are found again by display name.
 */
class GeminiBatchApiTest {
  private static final String KEY = "gemini-batch-key";
  private static final String MODEL = "gemini-2.5-flash";

  @TempDir Path dir;
  private FakeGeminiServer fake;
  private GeminiSettings settings;
  private BatchHttp http;

  @BeforeEach
  void start() throws Exception {
    fake = FakeGeminiServer.start(KEY);
    settings = new GeminiSettings(fake.baseUrl(), new Secret(KEY), Duration.ofSeconds(30));
    http = new BatchHttp(new GeminiCodec(settings), new OkHttpClient(), Duration.ofSeconds(30));
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  @Test
  void smallBatchGoesInline() throws Exception {
    GeminiBatchApi api = new GeminiBatchApi(settings, http);

    Map<String, String> answers = run(api, "loupe/ds/batch/gemini/0/0");

    assertThat(answers).containsOnlyKeys("line-a", "line-b");
    assertThat(answers.values()).allSatisfy(text -> assertThat(text).startsWith("[fake]"));
  }

  @Test
  void batchOverTheInlineLimitIsUploadedAndAnsweredInAFile() throws Exception {
    GeminiBatchApi api = new GeminiBatchApi(settings, http, 10);

    Map<String, String> answers = run(api, "loupe/ds/batch/gemini/1/0");

    assertThat(answers).containsOnlyKeys("line-a", "line-b");
    assertThat(answers.values()).allSatisfy(text -> assertThat(text).startsWith("[fake]"));
    assertThat(fake.batches().linesReceived())
        .containsEntry("line-a", 1)
        .containsEntry("line-b", 1);
  }

  /** Creates a batch of two lines, finds it by its key, polls it to the end, reads its answers. */
  private Map<String, String> run(BatchApi api, String key) throws Exception {
    Path input = dir.resolve("input.jsonl");
    StringBuilder lines = new StringBuilder();
    for (String id : new String[] {"line-a", "line-b"}) {
      JsonNode body =
          api.requestBody(new ModelRequest(MODEL, null, "Describe " + id + ".", null, null, 200));
      lines
          .append(new String(api.line(id, body), java.nio.charset.StandardCharsets.UTF_8))
          .append('\n');
    }
    Files.writeString(input, lines);

    String id = api.create(key, MODEL, input, 2);

    assertThat(api.find(key, 2, Instant.now())).contains(id);
    BatchApi.Status status = api.status(id);
    assertThat(status.state()).isEqualTo(BatchPoll.State.ENDED);
    Map<String, String> answers = new LinkedHashMap<>();
    api.results(
        status,
        (customId, body, failure) -> {
          assertThat(failure).isNull();
          try {
            ModelResponse response = api.read(body, MODEL, null, 200);
            answers.put(customId, response.text());
          } catch (ProviderException e) {
            throw new AssertionError(e);
          }
        });
    return answers;
  }
}
