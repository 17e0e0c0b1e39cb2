package dev.loupe.stage;

import dev.loupe.contract.FailureType;
import dev.loupe.contract.ImageInfo;
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
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one stage's model call: picks the image's template (or the one given), renders it, attaches
 * the prepared image when there is one, calls the endpoint and prices the usage it reports.
 */
public final class StageRunner {
  private static final Logger log = LoggerFactory.getLogger(StageRunner.class);

  private final Map<String, ModelEndpoint> endpoints;
  private final PromptLibrary prompts;
  private final PreparedImages images;
  private final PriceTable prices;

  public StageRunner(
      Map<String, ModelEndpoint> endpoints,
      PromptLibrary prompts,
      PreparedImages images,
      PriceTable prices) {
    this.endpoints = Map.copyOf(endpoints);
    this.prompts = prompts;
    this.images = images;
    this.prices = prices;
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

  /** A call ready to send: its endpoint, the template it rendered and the provider request. */
  public record Prepared(ModelEndpoint endpoint, String templateId, ModelRequest request) {}

  /** One call, online: prepared, sent, priced. */
  public Output run(Call call) throws ProviderException, BadImageException, IOException {
    Prepared prepared = prepare(call);
    ModelResponse response = prepared.endpoint().client().complete(prepared.request());
    return output(
        call.stage(), call.endpoint(), call.plan().model(), prepared.templateId(), response);
  }

  /** Picks and renders the template and attaches the prepared image: the request, not sent. */
  public Prepared prepare(Call call) throws ProviderException, BadImageException, IOException {
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
    ModelRequest request =
        new ModelRequest(
            call.plan().model(),
            null,
            template.render(call.values()),
            prepared,
            call.schema(),
            call.plan().maxOutputTokens());
    return new Prepared(endpoint, template.id(), request);
  }

  /**
   * The record of a call that answered, online or in a batch: the model it reported and its usage,
   * priced.
   *
   * @param planModel the model the plan asked for (the price table's key)
   */
  public Output output(
      String stage, String endpoint, String planModel, String templateId, ModelResponse response) {
    String model = response.model() == null ? planModel : response.model();
    double cost = prices.cost(planModel, response.inputTokens(), response.outputTokens());
    log.debug(
        "stage={} endpoint={} model={} input_tokens={} output_tokens={} latency_ms={}",
        stage,
        endpoint,
        model,
        response.inputTokens(),
        response.outputTokens(),
        response.latencyMillis());
    return new Output(
        response.text(),
        new ModelCall(
            stage,
            endpoint,
            model,
            templateId,
            new Usage(response.inputTokens(), response.outputTokens(), cost),
            response.latencyMillis()));
  }
}
