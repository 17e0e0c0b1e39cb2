package dev.loupe.stage;

import dev.loupe.contract.FailureType;
import dev.loupe.contract.Lane;
import dev.loupe.contract.ModelCall;
import dev.loupe.contract.ScoreRequest;
import dev.loupe.contract.ScoreResult;
import dev.loupe.contract.Usage;
import dev.loupe.image.BadImageException;
import dev.loupe.pricing.PriceTable;
import dev.loupe.prompt.PromptLibrary;
import dev.loupe.prompt.PromptTemplate;
import dev.loupe.provider.CaptionScorer;
import dev.loupe.provider.ModelRequest.PreparedImage;
import dev.loupe.provider.ProviderException;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The perplexity check's call: the caption scored by the endpoint's {@link CaptionScorer} after the
 * image (prepared for the endpoint like any stage's) and the fixed instruction {@code
 * checks/perplexity-<lang>-1}, recorded as a model call of stage {@code perplexity}. Not cached:
 * scoring is one short prompt on a self-hosted server.
 */
public final class CaptionScoring {
  /** The stage name of scoring calls in records and metrics. */
  public static final String STAGE = "perplexity";

  private static final Logger log = LoggerFactory.getLogger(CaptionScoring.class);

  private final Map<String, CaptionScorer> scorers;
  private final Map<String, ModelEndpoint> endpoints;
  private final PromptLibrary prompts;
  private final PreparedImages images;
  private final PriceTable prices;

  /**
   * @param scorers the endpoints that can score, by name (the OpenAI-compatible ones)
   * @param endpoints every configured endpoint, for its image limits and in messages
   */
  public CaptionScoring(
      Map<String, CaptionScorer> scorers,
      Map<String, ModelEndpoint> endpoints,
      PromptLibrary prompts,
      PreparedImages images,
      PriceTable prices) {
    this.scorers = Map.copyOf(scorers);
    this.endpoints = Map.copyOf(endpoints);
    this.prompts = prompts;
    this.images = images;
    this.prices = prices;
  }

  /**
   * @throws ProviderException {@link FailureType#BAD_REQUEST} naming the endpoint when it cannot
   *     return prompt log-probabilities; otherwise the scorer's failure
   */
  public ScoreResult score(ScoreRequest request)
      throws ProviderException, BadImageException, IOException {
    ModelEndpoint endpoint = endpoints.get(request.endpoint());
    CaptionScorer scorer = scorers.get(request.endpoint());
    if (endpoint == null || scorer == null) {
      throw new ProviderException(
          FailureType.BAD_REQUEST,
          "endpoint '"
              + request.endpoint()
              + "'"
              + (endpoint == null
                  ? " is not configured on this worker"
                  : " ("
                      + endpoint.provider()
                      + ") cannot return prompt log-probabilities; the perplexity check needs an"
                      + " openai-compatible server that does (vLLM)"));
    }
    PromptTemplate instruction = prompts.named("checks/perplexity", lang(request.lang()));
    PreparedImage image =
        request.image() == null ? null : images.load(request.image(), endpoint.imageLimits());
    CaptionScorer.Score score =
        scorer.score(
            new CaptionScorer.Request(
                request.model(), instruction.render(Map.of()), image, request.caption()));
    String model = score.model() == null ? request.model() : score.model();
    PriceTable.Charge charge =
        prices.charge(
            request.model(), Lane.ONLINE, new PriceTable.Tokens(score.promptTokens(), 1, 0, 0));
    log.debug(
        "stage={} endpoint={} model={} caption_tokens={} prompt_tokens={} latency_ms={}",
        STAGE,
        request.endpoint(),
        model,
        score.tokens(),
        score.promptTokens(),
        score.latencyMillis());
    return new ScoreResult(
        score.perplexity(),
        score.meanLogprob(),
        score.tokens(),
        new ModelCall(
            STAGE,
            request.endpoint(),
            model,
            instruction.id(),
            new Usage(score.promptTokens(), 1, charge.paidUsd()),
            score.latencyMillis()));
  }

  private static String lang(String lang) {
    return lang == null || lang.isBlank() ? "en" : lang;
  }
}
