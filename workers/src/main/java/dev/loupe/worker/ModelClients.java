package dev.loupe.worker;

import dev.loupe.batch.BatchApi;
import dev.loupe.config.EndpointSettings;
import dev.loupe.image.ProviderImageLimits;
import dev.loupe.provider.CaptionScorer;
import dev.loupe.provider.HttpModelClient;
import dev.loupe.provider.LaneClient;
import dev.loupe.provider.ModelClient;
import dev.loupe.provider.ProviderClients;
import dev.loupe.provider.ProviderKind;
import dev.loupe.provider.Secret;
import dev.loupe.provider.openai.Dialect;
import dev.loupe.provider.openai.OpenAiSettings;
import dev.loupe.provider.openai.PromptLogprobScorer;
import dev.loupe.provider.ratelimit.AdaptiveConcurrency;
import dev.loupe.provider.ratelimit.EndpointLimits;
import dev.loupe.provider.ratelimit.FleetTokenBudget;
import dev.loupe.provider.ratelimit.RateLimitedClient;
import dev.loupe.provider.ratelimit.TemporalTokenLeases;
import dev.loupe.provider.ratelimit.TokenBucket;
import dev.loupe.stage.ModelEndpoint;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import okhttp3.OkHttpClient;

/**
 * Builds the configured endpoints of an API worker: each provider's client, with its key from the
 * environment, behind this worker's rate limits (adaptive concurrency, the tokens-per-minute
 * budget, calls paced at the requests-per-minute limit), and the provider's image limits. A
 * tokens-per-minute budget of scope {@code fleet} is leased from the endpoint's {@code
 * TokenBudgetWorkflow} when this process has a Temporal client, from its first call on.
 */
final class ModelClients {
  /** The start-to-close timeout of model-call activities (ActivityStubs.api). */
  static final Duration ACTIVITY_TIMEOUT = Duration.ofMinutes(5);

  /** Left for everything around the call: reading and preparing the image, the response. */
  private static final Duration ACTIVITY_MARGIN = Duration.ofSeconds(10);

  private static final Duration MIN_WAIT = Duration.ofSeconds(5);

  /** Batch uploads and result downloads run up to hundreds of megabytes. */
  private static final Duration BATCH_TRANSFER = Duration.ofMinutes(20);

  private final ProviderClients clients;
  private final OkHttpClient http;
  private final Map<String, String> environment;
  private final Optional<WorkflowClient> temporal;

  /**
   * @param environment where API keys are read from (the process environment in production)
   * @param temporal where fleet-wide token budgets are leased; without it each process keeps its
   *     own
   */
  ModelClients(
      OkHttpClient http, Map<String, String> environment, Optional<WorkflowClient> temporal) {
    this.clients = new ProviderClients(http);
    this.http = http;
    this.environment = Map.copyOf(environment);
    this.temporal = temporal;
  }

  /** For what needs no token budget: batch APIs, scorers. */
  ModelClients(OkHttpClient http, Map<String, String> environment) {
    this(http, environment, Optional.empty());
  }

  Map<String, ModelEndpoint> build(Map<String, EndpointSettings> endpoints) {
    Map<String, ModelEndpoint> built = new LinkedHashMap<>();
    endpoints.forEach((name, settings) -> built.put(name, build(name, settings)));
    return built;
  }

  ModelEndpoint build(String name, EndpointSettings settings) {
    ProviderKind kind = settings.kind();
    Duration timeout = Duration.ofSeconds(settings.timeoutSeconds());
    Secret key = keyOf(name, settings);
    HttpModelClient online =
        clients.create(kind, settings.baseUrl(), key, timeout, settings.promptCache());
    ModelClient lanes = online;
    Duration flexOnlineAfter = null;
    if (kind == ProviderKind.OPENAI) {
      EndpointSettings.FlexSettings flex = settings.flex();
      lanes =
          new LaneClient(
              online,
              clients.create(
                  kind,
                  settings.baseUrl(),
                  key,
                  Duration.ofSeconds(flex.timeoutSeconds()),
                  settings.promptCache()));
      flexOnlineAfter =
          flex.onlineAfterSeconds() == null ? null : Duration.ofSeconds(flex.onlineAfterSeconds());
    }
    ModelClient limited;
    if (settings.fleetTokenBudget() && temporal.isPresent()) {
      FleetTokenBudget fleet =
          FleetTokenBudget.of(
              name,
              settings.tokensPerMinute(),
              temporal.get().getOptions().getIdentity() + "/" + UUID.randomUUID(),
              new TemporalTokenLeases(temporal.get(), name));
      limited =
          fleet.leasingBefore(
              new RateLimitedClient(
                  name,
                  lanes,
                  new EndpointLimits(
                      new AdaptiveConcurrency(settings.maxConcurrency()),
                      Optional.of(fleet.bucket()),
                      Optional.ofNullable(settings.requestsPerMinute()).map(TokenBucket::pacer),
                      maxWait(timeout))));
    } else {
      limited =
          new RateLimitedClient(
              name,
              lanes,
              EndpointLimits.of(
                  settings.maxConcurrency(),
                  settings.requestsPerMinute(),
                  settings.tokensPerMinute(),
                  maxWait(timeout)));
    }
    ProviderImageLimits images = ProviderImageLimits.forProvider(kind);
    if (settings.imageMaxLongSide() != null) {
      images = images.withMaxLongSide(settings.imageMaxLongSide());
    }
    return new ModelEndpoint(
        name, limited, images, kind.configName(), online.codec(), flexOnlineAfter);
  }

  /** The batch APIs of the endpoints whose provider has one Loupe speaks. */
  Map<String, BatchApi> batchApis(Map<String, EndpointSettings> endpoints) {
    Map<String, BatchApi> built = new LinkedHashMap<>();
    endpoints.forEach(
        (name, settings) ->
            clients
                .createBatchApi(
                    settings.kind(),
                    settings.baseUrl(),
                    keyOf(name, settings),
                    BATCH_TRANSFER,
                    settings.promptCache())
                .ifPresent(api -> built.put(name, api)));
    return built;
  }

  /**
   * The caption scorers of the endpoints that can return prompt log-probabilities: the
   * OpenAI-compatible ones (vLLM). Whether a server really does is probed when a run starts.
   */
  Map<String, CaptionScorer> scorers(Map<String, EndpointSettings> endpoints) {
    Map<String, CaptionScorer> built = new LinkedHashMap<>();
    endpoints.forEach(
        (name, settings) -> {
          if (settings.kind() == ProviderKind.OPENAI_COMPATIBLE) {
            built.put(
                name,
                new PromptLogprobScorer(
                    new OpenAiSettings(
                        settings.baseUrl(),
                        keyOf(name, settings),
                        Dialect.OPENAI_COMPATIBLE,
                        Duration.ofSeconds(settings.timeoutSeconds())),
                    http));
          }
        });
    return built;
  }

  /** How long a call may wait for the rate limits, so that it still ends within the activity. */
  static Duration maxWait(Duration callTimeout) {
    Duration left = ACTIVITY_TIMEOUT.minus(callTimeout).minus(ACTIVITY_MARGIN);
    return left.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : left;
  }

  private Secret keyOf(String name, EndpointSettings settings) {
    if (settings.apiKeyEnv() == null) {
      return null;
    }
    String value = environment.get(settings.apiKeyEnv());
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "endpoint '"
              + name
              + "' at "
              + settings.baseUrl()
              + " reads its key from "
              + settings.apiKeyEnv()
              + ", which is not set");
    }
    return new Secret(value);
  }
}
