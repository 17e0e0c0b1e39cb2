package dev.loupe.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The worker configuration of a benchmark or fault run: one endpoint named {@value #ENDPOINT} at
 * the fake, its concurrency, timeout and retry policy, and the configuration directory that holds
 * the benchmark recipe {@value #RECIPE} (describe → ask → answer).
 *
 * @param baseUrl the fake endpoint
 * @param apiKeyEnv environment variable holding the key
 * @param concurrency calls in flight per API worker
 * @param timeoutSeconds HTTP timeout of one call
 * @param apiMaximumAttempts attempts per call before the image fails
 * @param requestsPerMinute the endpoint's requests-per-minute limit, or null for none
 * @param provider the endpoint's provider ({@code openai-compatible} for the bench endpoint)
 * @param batch the endpoint's {@code batch:} settings as YAML flow mapping, or null for none
 * @param model the endpoint's model ({@code fake-model}, unpriced, unless a benchmark prices it)
 * @param tokensPerMinute the endpoint's tokens-per-minute limit, or null for none
 */
public record BenchConfig(
    String baseUrl,
    String apiKeyEnv,
    int concurrency,
    int timeoutSeconds,
    int apiMaximumAttempts,
    Integer requestsPerMinute,
    String provider,
    String batch,
    String model,
    Integer tokensPerMinute) {
  public static final String ENDPOINT = "bench";
  public static final String RECIPE = "caption-qa";
  public static final int CALLS_PER_IMAGE = 3;

  public BenchConfig(String baseUrl, String apiKeyEnv, int concurrency) {
    this(
        baseUrl,
        apiKeyEnv,
        concurrency,
        60,
        8,
        null,
        "openai-compatible",
        null,
        "fake-model",
        null);
  }

  /** The same endpoint serving {@code name}, e.g. a model {@code config/prices.yaml} prices. */
  public BenchConfig withModel(String name) {
    return new BenchConfig(
        baseUrl,
        apiKeyEnv,
        concurrency,
        timeoutSeconds,
        apiMaximumAttempts,
        requestsPerMinute,
        provider,
        batch,
        name,
        tokensPerMinute);
  }

  /**
   * An {@code openai} endpoint with the batch lane's settings {@code batch}, e.g. {@code
   * {pollSeconds: 1}}.
   */
  public BenchConfig withOpenAiBatch(String batchSettings) {
    return new BenchConfig(
        baseUrl,
        apiKeyEnv,
        concurrency,
        timeoutSeconds,
        apiMaximumAttempts,
        requestsPerMinute,
        "openai",
        batchSettings,
        model,
        tokensPerMinute);
  }

  public BenchConfig withTimeout(int seconds) {
    return new BenchConfig(
        baseUrl,
        apiKeyEnv,
        concurrency,
        seconds,
        apiMaximumAttempts,
        requestsPerMinute,
        provider,
        batch,
        model,
        tokensPerMinute);
  }

  public BenchConfig withRequestsPerMinute(Integer rpm) {
    return new BenchConfig(
        baseUrl,
        apiKeyEnv,
        concurrency,
        timeoutSeconds,
        apiMaximumAttempts,
        rpm,
        provider,
        batch,
        model,
        tokensPerMinute);
  }

  public BenchConfig withTokensPerMinute(Integer tpm) {
    return new BenchConfig(
        baseUrl,
        apiKeyEnv,
        concurrency,
        timeoutSeconds,
        apiMaximumAttempts,
        requestsPerMinute,
        provider,
        batch,
        model,
        tpm);
  }

  /**
   * Writes the YAML for {@code loupe worker --config}.
   *
   * @param dataRoot where the workers may read images and write outputs (their input and output
   *     roots)
   */
  public Path write(Path file, Path dataRoot) throws IOException {
    StringBuilder yaml = new StringBuilder();
    yaml.append("endpoints:\n")
        .append("  ")
        .append(ENDPOINT)
        .append(":\n")
        .append("    provider: ")
        .append(provider)
        .append('\n')
        .append("    baseUrl: ")
        .append(baseUrl)
        .append('\n')
        .append("    apiKeyEnv: ")
        .append(apiKeyEnv)
        .append('\n')
        .append("    model: ")
        .append(model)
        .append('\n')
        .append("    timeoutSeconds: ")
        .append(timeoutSeconds)
        .append('\n')
        .append("    maxConcurrency: ")
        .append(concurrency)
        .append('\n');
    if (requestsPerMinute != null) {
      yaml.append("    requestsPerMinute: ").append(requestsPerMinute).append('\n');
    }
    if (tokensPerMinute != null) {
      yaml.append("    tokensPerMinute: ").append(tokensPerMinute).append('\n');
    }
    if (batch != null) {
      yaml.append("    batch: ").append(batch).append('\n');
    }
    yaml.append("retry:\n")
        .append("  apiMaximumAttempts: ")
        .append(apiMaximumAttempts)
        .append('\n')
        .append("  apiInitialIntervalSeconds: 1\n")
        .append("  apiMaximumIntervalSeconds: 10\n")
        .append("worker:\n")
        .append("  drainSeconds: 5\n")
        .append("inputRoots: ['")
        .append(dataRoot.toAbsolutePath())
        .append("']\n")
        .append("outputRoots: ['")
        .append(dataRoot.toAbsolutePath())
        .append("']\n");
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, yaml);
    return file;
  }

  /** The configuration directory with the benchmark recipe (test resources). */
  public static Path configDirectory() {
    URL url = BenchConfig.class.getResource("/bench-config/recipes/" + RECIPE + ".yaml");
    if (url == null) {
      throw new IllegalStateException("bench-config is not on the test classpath");
    }
    try {
      return Path.of(url.toURI()).getParent().getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
