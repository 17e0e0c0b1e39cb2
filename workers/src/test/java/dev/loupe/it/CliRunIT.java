package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.image.TestImages;
import dev.loupe.provider.openai.FakeOpenAiServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loupe run} as a user runs it: the packaged jar in a child process, starting its own
 * Temporal dev server (the real {@code temporal} CLI), against a fake OpenAI server that speaks the
 * real wire format and validates every request against the official spec.
 */
class CliRunIT {
  private static final String KEY = "sk-test-KEEPTHISSECRET-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  private FakeOpenAiServer fake;

  @BeforeEach
  void startFake() throws IOException {
    TestServers.temporalCli();
    fake = FakeOpenAiServer.start(0, KEY);
  }

  @AfterEach
  void stopFake() {
    fake.close();
  }

  @Test
  void runWritesEveryOutputFileForTheExampleImages() throws Exception {
    Path images = Files.createDirectories(work.resolve("images"));
    copyExamples(images);
    Files.write(images.resolve("corrupt.png"), TestImages.truncatedPng());
    Files.copy(images.resolve("receipt.png"), images.resolve("zz-copy-of-receipt.png"));
    Path out = work.resolve("out");

    LoupeProcess loupe =
        LoupeProcess.start(
            work,
            Map.of("OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", fake.baseUrl()),
            "run",
            images.toString(),
            "--out",
            out.toString());
    int exit = loupe.waitFor(Duration.ofMinutes(4));

    assertThat(exit).as(loupe.stderr()).isZero();
    assertThat(loupe.stderr()).contains("Temporal UI: http://127.0.0.1:");
    assertThat(out.resolve(".loupe/temporal.db")).exists();
    for (String file :
        List.of(
            "run.json",
            "samples.jsonl",
            "rejected.jsonl",
            "failed.jsonl",
            "llava.json",
            "sharegpt.jsonl",
            "stats.json")) {
      assertThat(out.resolve(file)).exists();
    }
    assertThat(Files.readAllLines(out.resolve("samples.jsonl"))).hasSize(4);
    List<String> rejected = Files.readAllLines(out.resolve("rejected.jsonl"));
    assertThat(rejected)
        .anySatisfy(line -> assertThat(line).contains("corrupt.png", "bad_image"))
        .anySatisfy(line -> assertThat(line).contains("zz-copy-of-receipt.png", "duplicate"));
    assertThat(Files.readAllLines(out.resolve("failed.jsonl"))).isEmpty();

    JsonNode stats = JSON.readTree(out.resolve("stats.json").toFile());
    assertThat(stats.get("images_total").asLong()).isEqualTo(6);
    assertThat(stats.get("images_accepted").asLong()).isEqualTo(4);
    assertThat(stats.get("images_rejected").asLong()).isEqualTo(2);
    assertThat(stats.at("/tokens/input").asLong()).isEqualTo(fake.totalPromptTokens());
    assertThat(stats.at("/tokens/output").asLong()).isEqualTo(fake.totalCompletionTokens());
    // describe, ask, answer, evaluate for each of the four good images.
    assertThat(fake.requestCount()).isEqualTo(16);
    assertThat(fake.invalidRequestCount()).as(String.join("\n", fake.invalidRequests())).isZero();

    JsonNode llava = JSON.readTree(out.resolve("llava.json").toFile());
    assertThat(llava).hasSize(8);
    assertThat(llava.get(0).at("/conversations/0/value").asText()).startsWith("<image>\n");
    JsonNode run = JSON.readTree(out.resolve("run.json").toFile());
    assertThat(run.at("/recipe/name").asText()).isEqualTo("allava");
    assertThat(run.get("status").asText()).isEqualTo("completed");
    assertThat(loupe.stdout()).contains("6 images: 4 accepted, 2 rejected, 0 failed");

    assertNoSecretIn(out, loupe);
  }

  @Test
  void unreachableEndpointFailsEachImageWithTheReasonAndTheRunEnds() throws Exception {
    Path images = Files.createDirectories(work.resolve("images"));
    Files.write(images.resolve("chart.png"), TestImages.barChartPng());
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Path config = work.resolve("loupe.yaml");
    Files.writeString(
        config,
        """
        endpoints:
          local:
            provider: openai-compatible
            baseUrl: http://127.0.0.1:%d/v1
            model: nothing-listens-here
            timeoutSeconds: 5
        retry:
          apiMaximumAttempts: 2
          apiInitialIntervalSeconds: 1
        """
            .formatted(closedPort));
    Path out = work.resolve("out");

    LoupeProcess loupe =
        LoupeProcess.start(
            work,
            Map.of(),
            "run",
            images.toString(),
            "--out",
            out.toString(),
            "--config",
            config.toString());
    int exit = loupe.waitFor(Duration.ofMinutes(3));

    assertThat(exit).as(loupe.stderr()).isZero();
    List<String> failed = Files.readAllLines(out.resolve("failed.jsonl"));
    assertThat(failed)
        .singleElement()
        .satisfies(
            line -> {
              JsonNode record = JSON.readTree(line);
              assertThat(record.get("failure_type").asText()).isEqualTo("transport");
              assertThat(record.get("message").asText()).startsWith("describe: ");
              assertThat(record.get("attempts").asInt()).isEqualTo(2);
            });
    assertThat(loupe.stdout()).contains("1 images: 0 accepted, 0 rejected, 1 failed");
  }

  @Test
  void withoutKeyOrBaseUrlItSaysWhatToSetBeforeStartingAnything() throws Exception {
    LoupeProcess loupe =
        LoupeProcess.start(
            work, Map.of(), "run", work.toString(), "--out", work.resolve("o").toString());
    assertThat(loupe.waitFor(Duration.ofMinutes(1))).isEqualTo(2);
    assertThat(loupe.stderr()).contains("no model endpoint configured", "OPENAI_API_KEY");
    assertThat(work.resolve("o")).doesNotExist();
  }

  @Test
  void missingSourceIsNamed() throws Exception {
    LoupeProcess loupe =
        LoupeProcess.start(
            work,
            Map.of("OPENAI_BASE_URL", fake.baseUrl()),
            "run",
            "/no/such/images",
            "--out",
            work.resolve("o").toString());
    assertThat(loupe.waitFor(Duration.ofMinutes(1))).isEqualTo(2);
    assertThat(loupe.stderr()).contains("source /no/such/images does not exist");
  }

  private static void copyExamples(Path target) throws IOException {
    Path examples = Path.of("..", "examples", "images");
    try (Stream<Path> files = Files.list(examples)) {
      for (Path file : files.filter(f -> !f.getFileName().toString().endsWith(".md")).toList()) {
        Files.copy(file, target.resolve(file.getFileName()));
      }
    }
  }

  private static void assertNoSecretIn(Path out, LoupeProcess loupe) throws IOException {
    assertThat(loupe.stdout()).doesNotContain(KEY);
    assertThat(loupe.stderr()).doesNotContain(KEY);
    try (Stream<Path> files = Files.walk(out)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (file.getFileName().toString().startsWith("temporal.db")) {
          // Workflow history lives in the dev server's database: the key must not be there either.
          assertThat(
                  new String(
                      Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1))
              .as(file.toString())
              .doesNotContain(KEY);
        } else {
          assertThat(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1))
              .as(file.toString())
              .doesNotContain(KEY);
        }
      }
    }
  }
}
