package dev.loupe.config;

import dev.loupe.batch.BatchLimits;
import dev.loupe.contract.BatchSettings;
import dev.loupe.provider.ProviderKind;
import java.util.Objects;
import java.util.Optional;

/**
 * One model endpoint, as configured. The API key is never here: only the name of the environment
 * variable that holds it, read by the worker that calls the endpoint.
 *
 * @param provider {@code openai}, {@code openai-compatible} (vLLM, SGLang, Ollama…), {@code gemini}
 *     or {@code anthropic}
 * @param baseUrl API base URL as the provider's SDK takes it, e.g. {@code
 *     https://api.openai.com/v1}, {@code https://generativelanguage.googleapis.com/v1beta}, {@code
 *     https://api.anthropic.com}
 * @param apiKeyEnv environment variable holding the key; none for keyless local servers
 * @param model default model for stages that name none
 * @param timeoutSeconds HTTP call timeout, shorter than the activity's five minutes
 * @param maxConcurrency concurrent calls per worker on this endpoint; 429s lower it for a while
 * @param imageMaxLongSide images are downsized so their long side fits; null for the provider's
 *     default (2048, Anthropic 1568)
 * @param requestsPerMinute cap on calls per minute across all workers (the server-side rate limit
 *     of the endpoint's task queue), or null for none
 * @param tokensPerMinute input plus output tokens per minute on this endpoint, or null for no
 *     budget: by default for all API worker processes together (see {@code tokensPerMinuteScope})
 * @param tokensPerMinuteScope {@code fleet} (the default): {@code tokensPerMinute} holds across
 *     every API worker process of the endpoint, each leasing a share from the endpoint's {@code
 *     TokenBudgetWorkflow}; {@code process}: each process allows itself the whole {@code
 *     tokensPerMinute} on its own, with no coordination (the behaviour before fleet budgets)
 * @param promptCache mark each request's image as a prompt-cache prefix (Anthropic {@code
 *     cache_control}; OpenAI and Gemini cache prefixes by themselves); off when null
 * @param flex the flex lane of an {@code openai} endpoint: call timeout and when to give up on flex
 *     and send online; the defaults when null
 * @param batch when the batch lane sends a provider batch on this endpoint; provider ceilings and
 *     defaults when absent
 */
public record EndpointSettings(
    String provider,
    String baseUrl,
    String apiKeyEnv,
    String model,
    Integer timeoutSeconds,
    Integer maxConcurrency,
    Integer imageMaxLongSide,
    Integer requestsPerMinute,
    Integer tokensPerMinute,
    Boolean promptCache,
    FlexSettings flex,
    BatchConfig batch,
    String tokensPerMinuteScope) {

  /** {@code tokensPerMinuteScope} of a budget shared by the endpoint's API worker processes. */
  public static final String FLEET = "fleet";

  /** {@code tokensPerMinuteScope} of a budget each process allows itself. */
  public static final String PROCESS = "process";

  /**
   * @param timeoutSeconds the call timeout of flex calls, which may take many minutes (default 900,
   *     at most 1140: the flex activity allows 1200)
   * @param onlineAfterSeconds after a stage has tried flex this long (capacity refusals are
   *     retried), its calls go online at the online price; never when null
   */
  public record FlexSettings(Integer timeoutSeconds, Integer onlineAfterSeconds) {
    public static final FlexSettings DEFAULT = new FlexSettings(null, null);

    public FlexSettings {
      timeoutSeconds = timeoutSeconds == null ? 900 : timeoutSeconds;
      if (timeoutSeconds < 1 || timeoutSeconds > 1140) {
        throw new IllegalArgumentException(
            "flex.timeoutSeconds must be within 1..1140 (the flex activity allows 1200): "
                + timeoutSeconds);
      }
      if (onlineAfterSeconds != null && onlineAfterSeconds < 0) {
        throw new IllegalArgumentException(
            "flex.onlineAfterSeconds must not be negative: " + onlineAfterSeconds);
      }
    }
  }

  public static final String OPENAI = ProviderKind.OPENAI.configName();
  public static final String OPENAI_COMPATIBLE = ProviderKind.OPENAI_COMPATIBLE.configName();
  public static final String GEMINI = ProviderKind.GEMINI.configName();
  public static final String ANTHROPIC = ProviderKind.ANTHROPIC.configName();

  public EndpointSettings {
    Objects.requireNonNull(provider, "endpoint provider");
    ProviderKind.fromConfigName(provider);
    Objects.requireNonNull(baseUrl, "endpoint baseUrl");
    if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
      throw new IllegalArgumentException("endpoint baseUrl must be an http(s) URL: " + baseUrl);
    }
    Objects.requireNonNull(model, "endpoint model");
    timeoutSeconds = timeoutSeconds == null ? 120 : timeoutSeconds;
    if (timeoutSeconds < 1 || timeoutSeconds > 280) {
      throw new IllegalArgumentException(
          "timeoutSeconds must be within 1..280 (the activity allows 300): " + timeoutSeconds);
    }
    maxConcurrency = maxConcurrency == null ? 32 : maxConcurrency;
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException("maxConcurrency must be positive: " + maxConcurrency);
    }
    if (imageMaxLongSide != null && imageMaxLongSide < 64) {
      throw new IllegalArgumentException(
          "imageMaxLongSide must be at least 64: " + imageMaxLongSide);
    }
    if (requestsPerMinute != null && requestsPerMinute < 1) {
      throw new IllegalArgumentException(
          "requestsPerMinute must be positive (leave it out for no limit): " + requestsPerMinute);
    }
    if (tokensPerMinute != null && tokensPerMinute < 1) {
      throw new IllegalArgumentException(
          "tokensPerMinute must be positive (leave it out for no budget): " + tokensPerMinute);
    }
    tokensPerMinuteScope = tokensPerMinuteScope == null ? FLEET : tokensPerMinuteScope;
    if (!FLEET.equals(tokensPerMinuteScope) && !PROCESS.equals(tokensPerMinuteScope)) {
      throw new IllegalArgumentException(
          "tokensPerMinuteScope must be fleet or process: " + tokensPerMinuteScope);
    }
    promptCache = promptCache != null && promptCache;
    flex = flex == null ? FlexSettings.DEFAULT : flex;
    if (batch != null) {
      ProviderKind kind = ProviderKind.fromConfigName(provider);
      BatchLimits limits =
          BatchLimits.of(kind)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "batch: settings on a "
                              + provider
                              + " endpoint, which has no batch API (openai, anthropic and gemini"
                              + " have one)"));
      batch.resolve(limits, provider);
    }
  }

  /** Settings whose tokens per minute hold across the fleet. */
  public EndpointSettings(
      String provider,
      String baseUrl,
      String apiKeyEnv,
      String model,
      Integer timeoutSeconds,
      Integer maxConcurrency,
      Integer imageMaxLongSide,
      Integer requestsPerMinute,
      Integer tokensPerMinute,
      Boolean promptCache,
      FlexSettings flex,
      BatchConfig batch) {
    this(
        provider,
        baseUrl,
        apiKeyEnv,
        model,
        timeoutSeconds,
        maxConcurrency,
        imageMaxLongSide,
        requestsPerMinute,
        tokensPerMinute,
        promptCache,
        flex,
        batch,
        null);
  }

  /** Whether {@code tokensPerMinute} is shared by the endpoint's API worker processes. */
  public boolean fleetTokenBudget() {
    return tokensPerMinute != null && FLEET.equals(tokensPerMinuteScope);
  }

  /** Settings without prompt-cache marks, with the default flex lane and no batch settings. */
  public EndpointSettings(
      String provider,
      String baseUrl,
      String apiKeyEnv,
      String model,
      Integer timeoutSeconds,
      Integer maxConcurrency,
      Integer imageMaxLongSide,
      Integer requestsPerMinute,
      Integer tokensPerMinute) {
    this(
        provider,
        baseUrl,
        apiKeyEnv,
        model,
        timeoutSeconds,
        maxConcurrency,
        imageMaxLongSide,
        requestsPerMinute,
        tokensPerMinute,
        null,
        null,
        null);
  }

  /** Whether this endpoint's batch-lane calls make their last attempt online. */
  public boolean batchFallsBackOnline() {
    return batch != null && Boolean.TRUE.equals(batch.fallbackOnline());
  }

  /**
   * The batch lane's settings on this endpoint, or empty when its provider has no batch API. Absent
   * values take the provider's ceilings, a 5-minute wait and a 30-second poll.
   */
  public Optional<BatchSettings> batchSettings() {
    return BatchLimits.of(kind())
        .map(
            limits ->
                (batch == null ? new BatchConfig(null, null, null, null) : batch)
                    .resolve(limits, provider));
  }

  /**
   * The endpoint's {@code batch:} key.
   *
   * @param maxRequests lines per batch, at most the provider's ceiling
   * @param maxBytes bytes of input file per batch, at most the provider's ceiling
   * @param maxWaitSeconds the longest a line waits for its batch to be sent
   * @param pollSeconds how often open batches are polled
   * @param fallbackOnline a call whose line failed or expired in its batches until its last attempt
   *     makes that attempt online (at the online price) instead of failing the image
   * @param lineHeartbeatSeconds how long a waiting call may go without its lane's keep-alive before
   *     it is retried (a call whose task was lost before it wrote its line waits this long);
   *     default 900, or three poll intervals where those are longer
   */
  public record BatchConfig(
      Integer maxRequests,
      Long maxBytes,
      Integer maxWaitSeconds,
      Integer pollSeconds,
      Boolean fallbackOnline,
      Integer lineHeartbeatSeconds) {

    /** Settings that do not fall back to the online lane. */
    public BatchConfig(
        Integer maxRequests, Long maxBytes, Integer maxWaitSeconds, Integer pollSeconds) {
      this(maxRequests, maxBytes, maxWaitSeconds, pollSeconds, null, null);
    }

    /** Settings with the default heartbeat timeout. */
    public BatchConfig(
        Integer maxRequests,
        Long maxBytes,
        Integer maxWaitSeconds,
        Integer pollSeconds,
        Boolean fallbackOnline) {
      this(maxRequests, maxBytes, maxWaitSeconds, pollSeconds, fallbackOnline, null);
    }

    static final int DEFAULT_MAX_WAIT_SECONDS = 300;
    static final int DEFAULT_POLL_SECONDS = 30;

    BatchSettings resolve(BatchLimits limits, String provider) {
      if (maxRequests != null && (maxRequests < 1 || maxRequests > limits.maxRequests())) {
        throw new IllegalArgumentException(
            "batch.maxRequests must be within 1.."
                + limits.maxRequests()
                + " (the "
                + provider
                + " ceiling): "
                + maxRequests);
      }
      if (maxBytes != null && (maxBytes < 1 || maxBytes > limits.maxBytes())) {
        throw new IllegalArgumentException(
            "batch.maxBytes must be within 1.."
                + limits.maxBytes()
                + " (the "
                + provider
                + " ceiling): "
                + maxBytes);
      }
      if (maxWaitSeconds != null && maxWaitSeconds < 0) {
        throw new IllegalArgumentException(
            "batch.maxWaitSeconds must not be negative: " + maxWaitSeconds);
      }
      if (pollSeconds != null && pollSeconds < 1) {
        throw new IllegalArgumentException("batch.pollSeconds must be positive: " + pollSeconds);
      }
      int poll = pollSeconds == null ? DEFAULT_POLL_SECONDS : pollSeconds;
      return new BatchSettings(
          maxRequests == null ? limits.maxRequests() : maxRequests,
          maxBytes == null ? limits.maxBytes() : maxBytes,
          maxWaitSeconds == null ? DEFAULT_MAX_WAIT_SECONDS : maxWaitSeconds,
          poll,
          lineHeartbeatSeconds == null ? BatchSettings.forPoll(poll) : lineHeartbeatSeconds);
    }
  }

  /** Settings without rate limits. */
  public EndpointSettings(
      String provider,
      String baseUrl,
      String apiKeyEnv,
      String model,
      Integer timeoutSeconds,
      Integer maxConcurrency,
      Integer imageMaxLongSide) {
    this(
        provider,
        baseUrl,
        apiKeyEnv,
        model,
        timeoutSeconds,
        maxConcurrency,
        imageMaxLongSide,
        null,
        null);
  }

  /** Settings with batch settings, without prompt-cache marks, with the default flex lane. */
  public EndpointSettings(
      String provider,
      String baseUrl,
      String apiKeyEnv,
      String model,
      Integer timeoutSeconds,
      Integer maxConcurrency,
      Integer imageMaxLongSide,
      Integer requestsPerMinute,
      Integer tokensPerMinute,
      BatchConfig batch) {
    this(
        provider,
        baseUrl,
        apiKeyEnv,
        model,
        timeoutSeconds,
        maxConcurrency,
        imageMaxLongSide,
        requestsPerMinute,
        tokensPerMinute,
        null,
        null,
        batch);
  }

  /** Settings with prompt-cache marks and flex settings, and no batch settings. */
  public EndpointSettings(
      String provider,
      String baseUrl,
      String apiKeyEnv,
      String model,
      Integer timeoutSeconds,
      Integer maxConcurrency,
      Integer imageMaxLongSide,
      Integer requestsPerMinute,
      Integer tokensPerMinute,
      Boolean promptCache,
      FlexSettings flex) {
    this(
        provider,
        baseUrl,
        apiKeyEnv,
        model,
        timeoutSeconds,
        maxConcurrency,
        imageMaxLongSide,
        requestsPerMinute,
        tokensPerMinute,
        promptCache,
        flex,
        null);
  }

  public ProviderKind kind() {
    return ProviderKind.fromConfigName(provider);
  }
}
