package dev.loupe.stage;

import dev.loupe.cache.CacheKey;
import dev.loupe.cache.ResponseCache;
import dev.loupe.cache.ResponseCaches;
import dev.loupe.contract.FailureType;
import dev.loupe.contract.ImageInfo;
import dev.loupe.contract.Lane;
import dev.loupe.contract.ModelCall;
import dev.loupe.contract.RunPlan.StagePlan;
import dev.loupe.contract.Usage;
import dev.loupe.image.BadImageException;
import dev.loupe.pricing.PriceTable;
import dev.loupe.prompt.PromptLibrary;
import dev.loupe.prompt.PromptTemplate;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelRequest.OutputSchema;
import dev.loupe.provider.ModelRequest.PreparedImage;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one stage's model call, the single place a stage's {@link ModelRequest} is built and sent:
 * picks the image's template (or the one given), renders it, attaches the prepared image when there
 * is one, answers from the response cache when it holds the request (nothing sent, nothing paid) or
 * calls the endpoint and stores the answer, and prices the usage by lane.
 */
public final class StageRunner {
  private static final Logger log = LoggerFactory.getLogger(StageRunner.class);

  private final Map<String, ModelEndpoint> endpoints;
  private final PromptLibrary prompts;
  private final PreparedImages images;
  private final PriceTable prices;
  private final ResponseCaches caches;
  private final Clock clock;

  /**
   * @param caches where responses are looked up before a call is sent and stored after it
   */
  public StageRunner(
      Map<String, ModelEndpoint> endpoints,
      PromptLibrary prompts,
      PreparedImages images,
      PriceTable prices,
      ResponseCaches caches) {
    this(endpoints, prompts, images, prices, caches, Clock.systemUTC());
  }

  StageRunner(
      Map<String, ModelEndpoint> endpoints,
      PromptLibrary prompts,
      PreparedImages images,
      PriceTable prices,
      ResponseCaches caches,
      Clock clock) {
    this.endpoints = Map.copyOf(endpoints);
    this.prompts = prompts;
    this.images = images;
    this.prices = prices;
    this.caches = caches;
    this.clock = clock;
  }

  /** The output text and the call's record. */
  public record Output(String text, ModelCall call) {}

  /**
   * One call.
   *
   * @param stage stage name, for the record and template sampling
   * @param plan the stage's settings (model, templates, output cap)
   * @param endpoint the endpoint to call
   * @param imageSha256 the image's hash, for template sampling
   * @param image the image to attach, or null for a text-only call
   * @param template the template to use, or null to sample one of the plan's
   * @param lang prompt language
   * @param values template placeholder values
   * @param schema structured-output schema, or null
   */
  public record Call(
      String stage,
      StagePlan plan,
      String endpoint,
      String imageSha256,
      ImageInfo image,
      PromptTemplate template,
      String lang,
      Map<String, String> values,
      OutputSchema schema) {}

  public PromptLibrary prompts() {
    return prompts;
  }

  /** {@link #run(Instant, Call)} for a stage outside the flex lane's deadline. */
  public Output run(Call call) throws ProviderException, BadImageException, IOException {
    return run(null, call);
  }

  /**
   * One call.
   *
   * @param scheduledAt when the stage's activity was first scheduled, or null: a flex call whose
   *     endpoint sends flex calls online after a deadline goes online once that much time passed
   */
  public Output run(Instant scheduledAt, Call call)
      throws ProviderException, BadImageException, IOException {
    Prepared prepared = prepare(scheduledAt, call);
    ModelEndpoint endpoint = prepared.endpoint();
    Optional<ResponseCache> cache =
        endpoint.cacheable() ? caches.forPlan(call.plan().cache()) : Optional.empty();
    Optional<CacheKey> key =
        cache.map(unused -> CacheKey.of(endpoint.provider(), endpoint.codec(), prepared.request()));
    Optional<ModelResponse> hit = key.flatMap(k -> cache.get().lookup(k));
    if (hit.isPresent()) {
      return recorded(call, prepared, hit.get(), null);
    }
    ModelResponse response = endpoint.client().complete(prepared.request());
    key.ifPresent(k -> cache.get().store(k, response));
    return recorded(call, prepared, response, prepared.request().lane());
  }

  /**
   * A stage's request as it is sent whichever way it travels.
   *
   * @param endpoint the endpoint the call is for
   * @param template the template it was rendered from
   * @param request the request; encode it with {@code endpoint.codec()}
   */
  public record Prepared(ModelEndpoint endpoint, PromptTemplate template, ModelRequest request) {}

  /**
   * Builds a stage's request: the image's template (or the one given) rendered, the image prepared
   * for the endpoint's provider, the plan's model, schema and output cap, and the lane.
   *
   * @param scheduledAt when the stage's activity was first scheduled, or null (see {@link
   *     #run(Instant, Call)})
   */
  public Prepared prepare(Instant scheduledAt, Call call)
      throws ProviderException, BadImageException, IOException {
    ModelEndpoint endpoint = endpoints.get(call.endpoint());
    if (endpoint == null) {
      throw new ProviderException(
          FailureType.BAD_REQUEST,
          "endpoint '" + call.endpoint() + "' is not configured on this worker");
    }
    PromptTemplate template =
        call.template() != null
            ? call.template()
            : prompts.pick(call.plan().templates(), call.imageSha256(), call.stage(), call.lang());
    PreparedImage prepared =
        call.image() == null ? null : images.load(call.image(), endpoint.imageLimits());
    return new Prepared(
        endpoint,
        template,
        new ModelRequest(
            call.plan().model(),
            null,
            template.render(call.values()),
            prepared,
            call.schema(),
            call.plan().maxOutputTokens(),
            laneOf(call, endpoint, scheduledAt)));
  }

  /**
   * The output and record of an answered call, priced at the rates of the lane it travelled.
   *
   * @param lane how the answer came: {@link Lane#ONLINE}, {@link Lane#BATCH} or {@link Lane#FLEX};
   *     null for the response cache (nothing paid, its online price saved)
   */
  public Output recorded(Call call, Prepared prepared, ModelResponse response, Lane lane) {
    boolean cached = lane == null;
    String model = call.plan().model();
    PriceTable.Charge charge =
        cached
            ? new PriceTable.Charge(
                0, prices.charge(model, Lane.ONLINE, tokens(response)).onlineUsd())
            : prices.charge(model, lane, tokens(response));
    String travelled = cached ? ModelCall.CACHE : lane.wireName();
    String reported = response.model() == null ? model : response.model();
    log.debug(
        "stage={} endpoint={} model={} lane={} input_tokens={} cached_input_tokens={}"
            + " output_tokens={} latency_ms={}",
        call.stage(),
        call.endpoint(),
        reported,
        travelled,
        response.inputTokens(),
        response.cachedInputTokens(),
        response.outputTokens(),
        response.latencyMillis());
    return new Output(
        response.text(),
        new ModelCall(
            call.stage(),
            call.endpoint(),
            reported,
            prepared.template().id(),
            new Usage(
                response.inputTokens(),
                response.outputTokens(),
                charge.paidUsd(),
                response.cachedInputTokens(),
                cached ? 1 : 0,
                charge.savedUsd()),
            cached ? 0 : response.latencyMillis(),
            travelled));
  }

  /**
   * The record of a batch line's answer, priced at the batch rates. Delivery has no {@link Call},
   * only what the line recorded when it was spooled.
   *
   * @param planModel the model the plan asked for (the price table's key)
   */
  public Output output(
      String stage, String endpoint, String planModel, String templateId, ModelResponse response) {
    PriceTable.Charge charge = prices.charge(planModel, Lane.BATCH, tokens(response));
    String reported = response.model() == null ? planModel : response.model();
    log.debug(
        "stage={} endpoint={} model={} lane=batch input_tokens={} output_tokens={}",
        stage,
        endpoint,
        reported,
        response.inputTokens(),
        response.outputTokens());
    return new Output(
        response.text(),
        new ModelCall(
            stage,
            endpoint,
            reported,
            templateId,
            new Usage(
                response.inputTokens(),
                response.outputTokens(),
                charge.paidUsd(),
                response.cachedInputTokens(),
                0,
                charge.savedUsd()),
            response.latencyMillis(),
            Lane.BATCH.wireName()));
  }

  /**
   * Flex, unless the endpoint's flex deadline passed since the stage was first scheduled (its
   * capacity refusals were retried that long): then online. A batch stage that reaches this runner
   * goes online until the batch lane sends its own.
   */
  private Lane laneOf(Call call, ModelEndpoint endpoint, Instant scheduledAt) {
    if (call.plan().laneOrDefault() != Lane.FLEX) {
      return Lane.ONLINE;
    }
    Duration deadline = endpoint.flexOnlineAfter();
    if (deadline != null
        && scheduledAt != null
        && !clock.instant().isBefore(scheduledAt.plus(deadline))) {
      log.info(
          "stage={} endpoint={} flex deadline of {} s passed: sent online",
          call.stage(),
          call.endpoint(),
          deadline.toSeconds());
      return Lane.ONLINE;
    }
    return Lane.FLEX;
  }

  private static PriceTable.Tokens tokens(ModelResponse response) {
    return new PriceTable.Tokens(
        response.inputTokens(),
        response.outputTokens(),
        response.cachedInputTokens(),
        response.cacheWriteTokens());
  }
}
