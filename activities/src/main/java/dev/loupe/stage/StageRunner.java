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
 * Makes one stage's model call: picks the image's template, renders it, attaches the prepared
 * image, calls the endpoint and prices the usage it reports.
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
   * @param stage stage name, for the record and template sampling
   * @param plan the stage's settings
   * @param endpointName the endpoint to call
   * @param image the image to attach, or null for a text-only call
   * @param values template placeholder values
   * @param schema structured-output schema, or null
   */
  public Output run(
      String stage,
      StagePlan plan,
      String endpointName,
      ImageInfo image,
      Map<String, String> values,
      OutputSchema schema)
      throws ProviderException, BadImageException, IOException {
    ModelEndpoint endpoint = endpoints.get(endpointName);
    if (endpoint == null) {
      throw new ProviderException(
          FailureType.BAD_REQUEST,
          "endpoint '" + endpointName + "' is not configured on this worker");
    }
    PromptTemplate template =
        prompts.pick(plan.templates(), image == null ? "" : image.sha256(), stage);
    PreparedImage prepared = image == null ? null : images.load(image, endpoint.imageLimits());
    ModelRequest request =
        new ModelRequest(
            plan.model(), null, template.render(values), prepared, schema, plan.maxOutputTokens());
    ModelResponse response = endpoint.client().complete(request);
    String model = response.model() == null ? plan.model() : response.model();
    double cost = prices.cost(plan.model(), response.inputTokens(), response.outputTokens());
    log.debug(
        "stage={} endpoint={} model={} input_tokens={} output_tokens={} latency_ms={}",
        stage,
        endpointName,
        model,
        response.inputTokens(),
        response.outputTokens(),
        response.latencyMillis());
    return new Output(
        response.text(),
        new ModelCall(
            stage,
            endpointName,
            model,
            template.id(),
            new Usage(response.inputTokens(), response.outputTokens(), cost),
            response.latencyMillis()));
  }
}
