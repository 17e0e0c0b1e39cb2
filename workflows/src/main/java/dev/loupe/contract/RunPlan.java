package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * A recipe resolved against the worker configuration when a dataset starts: which endpoint, model
 * and templates each stage uses. It travels in workflow input so that every image of a run, and
 * every continue-as-new, uses the same plan, and workflow code never reads configuration.
 *
 * @param recipe recipe name
 * @param recipeHash SHA-256 of the recipe file
 * @param minShortSide images whose short side is below this are rejected
 * @param maxPixels images with more pixels than this are rejected before decoding
 * @param stages stage name to its settings, in pipeline order
 * @param templateHashes template id to the SHA-256 of its text
 * @param imageWorstCaseUsd the most one image can cost (reserved for each image in flight when the
 *     run has a budget); null in plans made before it existed
 * @param batches endpoint to its batch settings, for the endpoints a batch-lane stage uses; empty
 *     when no stage is in the batch lane
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunPlan(
    String recipe,
    String recipeHash,
    int minShortSide,
    long maxPixels,
    Map<String, StagePlan> stages,
    Map<String, String> templateHashes,
    String lang,
    int nearDuplicateDistance,
    CheckSettings checkSettings,
    Double imageWorstCaseUsd,
    Map<String, BatchSettings> batches) {

  public static final String OCR = "ocr";
  public static final String DESCRIBE = "describe";

  /** ALLaVA's single-call mode: caption, question and answer in one call. */
  public static final String CAPTION_QA = "caption_qa";

  /** CapFusion: merge the model caption with the source's alt text. */
  public static final String FUSE = "fuse";

  public static final String ASK = "ask";
  public static final String ANSWER = "answer";
  public static final String REASON = "reason";
  public static final String EVALUATE = "evaluate";

  /** Batch settings by endpoint; empty for plans made before the batch lane. */
  public Map<String, BatchSettings> batchesOrEmpty() {
    return batches == null ? Map.of() : batches;
  }

  /** A plan in English with default check settings and no near-duplicate detection. */
  public RunPlan(
      String recipe,
      String recipeHash,
      int minShortSide,
      long maxPixels,
      Map<String, StagePlan> stages,
      Map<String, String> templateHashes) {
    this(
        recipe,
        recipeHash,
        minShortSide,
        maxPixels,
        stages,
        templateHashes,
        "en",
        0,
        null,
        null,
        Map.of());
  }

  /** A plan without a worst-case image cost, with every stage online. */
  public RunPlan(
      String recipe,
      String recipeHash,
      int minShortSide,
      long maxPixels,
      Map<String, StagePlan> stages,
      Map<String, String> templateHashes,
      String lang,
      int nearDuplicateDistance,
      CheckSettings checkSettings) {
    this(
        recipe,
        recipeHash,
        minShortSide,
        maxPixels,
        stages,
        templateHashes,
        lang,
        nearDuplicateDistance,
        checkSettings,
        null,
        Map.of());
  }

  /** This plan with the worst-case cost of one image. */
  public RunPlan withImageWorstCaseUsd(double usd) {
    return new RunPlan(
        recipe,
        recipeHash,
        minShortSide,
        maxPixels,
        stages,
        templateHashes,
        lang,
        nearDuplicateDistance,
        checkSettings,
        usd,
        batches);
  }

  /** The prompt language for an item: its own when it has one, else the recipe's. */
  public String langFor(SourceItem item) {
    if (item.lang() != null && !item.lang().isBlank()) {
      return item.lang();
    }
    return lang == null ? "en" : lang;
  }

  public CheckSettings checkSettingsOrDefault() {
    return checkSettings == null ? CheckSettings.DEFAULT : checkSettings;
  }

  public StagePlan stage(String name) {
    StagePlan stage = stages.get(name);
    if (stage == null) {
      throw new IllegalStateException("recipe " + recipe + " has no stage " + name);
    }
    return stage;
  }

  public boolean has(String name) {
    return stages.containsKey(name);
  }

  /**
   * Thresholds of the checks.
   *
   * @param captionMinChars captions shorter than this fail {@code caption_length}
   * @param captionMaxChars captions longer than this fail {@code caption_length}
   * @param maxRepetition share of repeated word 4-grams above which {@code caption_repetition}
   *     fails (a degenerate, looping caption)
   * @param consistencyPrompts extra answer wordings for {@code multi_prompt_consistency}
   * @param perplexity the {@code perplexity} check's scorer and thresholds; null when no stage has
   *     the check
   * @param shortAnswerMaxWords the most words a {@code short_answer} answer may have ({@code
   *     answer_form}); 0 in plans made before it existed, read as the default
   * @param briefCaptionMaxWords the most words a {@code brief_caption} caption may have ({@code
   *     caption_form}); 0 in plans made before it existed, read as the default
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record CheckSettings(
      int captionMinChars,
      int captionMaxChars,
      double maxRepetition,
      int consistencyPrompts,
      Perplexity perplexity,
      int shortAnswerMaxWords,
      int briefCaptionMaxWords) {
    public static final int DEFAULT_SHORT_ANSWER_MAX_WORDS = 5;
    public static final int DEFAULT_BRIEF_CAPTION_MAX_WORDS = 30;
    public static final CheckSettings DEFAULT = new CheckSettings(200, 6000, 0.3, 1);

    public CheckSettings {
      shortAnswerMaxWords =
          shortAnswerMaxWords <= 0 ? DEFAULT_SHORT_ANSWER_MAX_WORDS : shortAnswerMaxWords;
      briefCaptionMaxWords =
          briefCaptionMaxWords <= 0 ? DEFAULT_BRIEF_CAPTION_MAX_WORDS : briefCaptionMaxWords;
    }

    /** Settings without a perplexity check and with the default short-form limits. */
    public CheckSettings(
        int captionMinChars, int captionMaxChars, double maxRepetition, int consistencyPrompts) {
      this(captionMinChars, captionMaxChars, maxRepetition, consistencyPrompts, null, 0, 0);
    }
  }

  /**
   * The {@code perplexity} check (POINTS1.5): captions are scored by the log-probabilities a model
   * served by {@code endpoint} gives their tokens, after the image and a fixed instruction.
   *
   * @param endpoint the scoring endpoint: an OpenAI-compatible server that returns prompt
   *     log-probabilities (vLLM)
   * @param model the model at that endpoint
   * @param maxPerplexity captions above it fail when they are scored; null for no bound
   * @param keepLowestShare the share of the run's scored captions to keep, lowest perplexity first,
   *     decided when the run is exported; null to keep every caption within {@code maxPerplexity}
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Perplexity(
      String endpoint, String model, Double maxPerplexity, Double keepLowestShare) {}

  /**
   * Settings of one stage.
   *
   * @param endpoints endpoint names, first preferred
   * @param model model name at that endpoint
   * @param templates prompt template ids, one sampled per image
   * @param questions questions to ask (ask stage only)
   * @param maxOutputTokens cap on the model's output
   * @param checks checks to run (evaluate stage only)
   * @param pool {@code api} (an endpoint's queue) or {@code captioner} (the GPU pool); {@code api}
   *     when null
   * @param lane how the stage's calls travel; {@link Lane#ONLINE} when null
   * @param cache the response cache: a directory or {@code s3://} prefix, {@value
   *     DatasetRequest#NO_CACHE} for none, or null for the API worker's own setting
   * @param batchSpool for a batch-lane stage, where its calls wait as batch lines: the dataset's
   *     {@code <output>/.loupe/batch/}; null otherwise
   * @param task the short-form task of a describe, ask or answer stage ({@code brief_caption},
   *     {@code short_answer}, {@code multiple_choice}; InstructBLIP), or null for long-form output
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record StagePlan(
      List<String> endpoints,
      String model,
      List<String> templates,
      int questions,
      int maxOutputTokens,
      List<String> checks,
      String pool,
      Lane lane,
      String cache,
      String batchSpool,
      String task) {

    public static final String API_POOL = "api";
    public static final String CAPTIONER_POOL = "captioner";

    /** A long-form stage. */
    public StagePlan(
        List<String> endpoints,
        String model,
        List<String> templates,
        int questions,
        int maxOutputTokens,
        List<String> checks,
        String pool,
        Lane lane,
        String cache,
        String batchSpool) {
      this(
          endpoints,
          model,
          templates,
          questions,
          maxOutputTokens,
          checks,
          pool,
          lane,
          cache,
          batchSpool,
          null);
    }

    /** A stage in {@code lane}, outside the batch lane's spool, with the worker's own cache. */
    public StagePlan(
        List<String> endpoints,
        String model,
        List<String> templates,
        int questions,
        int maxOutputTokens,
        List<String> checks,
        String pool,
        Lane lane) {
      this(endpoints, model, templates, questions, maxOutputTokens, checks, pool, lane, null, null);
    }

    /** Whether the stage's calls go into provider batches. */
    public boolean inBatch() {
      return laneOrDefault() == Lane.BATCH && !onCaptioner();
    }

    /** A stage in the online lane. */
    public StagePlan(
        List<String> endpoints,
        String model,
        List<String> templates,
        int questions,
        int maxOutputTokens,
        List<String> checks,
        String pool) {
      this(endpoints, model, templates, questions, maxOutputTokens, checks, pool, Lane.ONLINE);
    }

    /** A stage outside the batch lane's spool, with a response cache setting. */
    public StagePlan(
        List<String> endpoints,
        String model,
        List<String> templates,
        int questions,
        int maxOutputTokens,
        List<String> checks,
        String pool,
        Lane lane,
        String cache) {
      this(
          endpoints, model, templates, questions, maxOutputTokens, checks, pool, lane, cache, null);
    }

    public Lane laneOrDefault() {
      return lane == null ? Lane.ONLINE : lane;
    }

    public String endpoint() {
      return endpoints.get(0);
    }

    public boolean onCaptioner() {
      return CAPTIONER_POOL.equals(pool);
    }
  }
}
