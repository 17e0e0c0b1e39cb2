package dev.loupe.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.provider.ProviderKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code config/loupe.example.yaml} loads as it is, and with its commented-out blocks (one per
 * provider) switched on, so a user who uncomments one gets a valid file.
 */
class ExampleConfigTest {
  private static final Path EXAMPLE = Path.of("..", "config", "loupe.example.yaml");

  /** A commented-out YAML line: '#', then the indented key it would have. */
  private static final Pattern COMMENTED_KEY = Pattern.compile("(?m)^#(?= {2,}[A-Za-z][\\w-]*:)");

  @TempDir Path work;

  @Test
  void exampleLoadsAsItIs() throws IOException {
    LoupeConfig config = ConfigLoader.load(EXAMPLE, Map.of());

    assertThat(config.endpoints()).containsOnlyKeys("openai");
    EndpointSettings openAi = config.endpoints().get("openai");
    assertThat(openAi.kind()).isEqualTo(ProviderKind.OPENAI);
    assertThat(openAi.requestsPerMinute()).isEqualTo(500);
    assertThat(openAi.tokensPerMinute()).isEqualTo(200_000);
    assertThat(config.retry().toApiRetry().maximumAttempts()).isEqualTo(8);
    assertThat(config.inputRootsOrDefault()).containsExactly("/data/images", "s3://loupe/images/");
    assertThat(config.outputRootsOrDefault()).containsExactly("/data/loupe-out", "s3://loupe/out/");
    assertThat(config.limits().sourceLimits()).isEqualTo(dev.loupe.source.SourceLimits.DEFAULT);
  }

  @Test
  void everyCommentedProviderIsValidWhenSwitchedOn() throws IOException {
    String uncommented = COMMENTED_KEY.matcher(Files.readString(EXAMPLE)).replaceAll("");
    Path file = Files.writeString(work.resolve("loupe.yaml"), uncommented);

    LoupeConfig config = ConfigLoader.load(file, Map.of());

    assertThat(config.endpoints()).containsOnlyKeys("openai", "gemini", "anthropic", "local");
    assertThat(config.endpoints().values())
        .extracting(EndpointSettings::kind)
        .containsExactlyInAnyOrder(ProviderKind.values());
    assertThat(config.s3().endpoint()).isEqualTo("http://127.0.0.1:9000");
    assertThat(config.limits().decodeBudget().bytes()).isEqualTo(2048L * 1024 * 1024);
  }
}
