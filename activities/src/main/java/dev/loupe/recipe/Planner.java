package dev.loupe.recipe;

import dev.loupe.batch.BatchSpool;
import dev.loupe.contract.BatchSettings;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.Lane;
import dev.loupe.contract.RunPlan;
import dev.loupe.pricing.PriceTable;
import dev.loupe.pricing.WorstCase;
import dev.loupe.prompt.PromptLibrary;
import dev.loupe.provider.ProviderKind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Resolves a recipe against the configured endpoints into a {@link RunPlan}. Every name is checked
 * here, when the run starts, so that a typo fails the run at once instead of every image.
 */
public final class Planner {
  static final int DEFAULT_MAX_OUTPUT_TOKENS = 1024;

  private final RecipeLibrary recipes;
  private final PromptLibrary prompts;
  private final Endpoints endpoints;
  private final PriceTable prices;

  public Planner(
      RecipeLibrary recipes, PromptLibrary prompts, Endpoints endpoints, PriceTable prices) {
    this.recipes = recipes;
    this.prompts = prompts;
    this.endpoints = endpoints;
    this.prices = prices;
  }

  /** A planner with no prices: a request with a budget is refused. */
  public Planner(RecipeLibrary recipes, PromptLibrary prompts, Endpoints endpoints) {
    this(recipes, prompts, endpoints, new PriceTable(Map.of()));
  }

  /**
   * @throws IllegalArgumentException naming the recipe, stage, endpoint or model that is wrong: an
   *     unknown name, a flex lane on an endpoint that has none, a budget with an unpriced model
   */
  public RunPlan plan(DatasetRequest request) throws IOException {
    RecipeLibrary.Loaded loaded = recipes.load(request.recipeOrDefault());
    Recipe recipe = loaded.recipe();
    Map<String, RunPlan.StagePlan> stages = new LinkedHashMap<>();
    Map<String, String> templateHashes = new TreeMap<>();
    Map<String, BatchSettings> batches = new TreeMap<>();
    for (Map.Entry<String, Recipe.Stage> entry : recipe.stages().entrySet()) {
      String stageName = entry.getKey();
      Recipe.Stage stage =
          entry.getValue() == null
              ? new Recipe.Stage(null, null, null, null, null, null, null, null, null)
              : entry.getValue();
      List<String> stageEndpoints = resolveEndpoints(recipe.name(), stageName, stage);
      String model =
          stage.model() == null
              ? endpoints.defaultModels().get(stageEndpoints.get(0))
              : stage.model();
      for (String id : stage.templatesOrEmpty()) {
        templateHashes.put(id, prompts.get(id).sha256());
      }
      String pool = stage.pool() == null ? RunPlan.StagePlan.API_POOL : stage.pool();
      boolean onApi = RunPlan.StagePlan.API_POOL.equals(pool);
      Lane lane =
          stage.lane() != null ? stage.lane() : onApi ? request.laneOrDefault() : Lane.ONLINE;
      if (lane == Lane.FLEX) {
        requireFlex(recipe.name(), stageName, stageEndpoints);
      }
      if (request.budgetUsd() != null && onApi && !prices.knows(model)) {
        throw new IllegalArgumentException(
            "recipe "
                + recipe.name()
                + ", stage "
                + stageName
                + ": model '"
                + model
                + "' has no price in prices.yaml, so a budget (budgetUsd "
                + request.budgetUsd()
                + ") cannot be kept; add its price or run without a budget");
      }
      boolean batch = lane == Lane.BATCH && onApi;
      if (batch) {
        for (String endpoint : stageEndpoints) {
          batches.put(endpoint, batchLane(recipe.name(), stageName, endpoint));
        }
      }
      stages.put(
          stageName,
          new RunPlan.StagePlan(
              stageEndpoints,
              model,
              List.copyOf(stage.templatesOrEmpty()),
              stage.questions() == null ? 1 : stage.questions(),
              stage.maxOutputTokens() == null ? DEFAULT_MAX_OUTPUT_TOKENS : stage.maxOutputTokens(),
              stage.checksOrEmpty(),
              pool,
              lane,
              onApi ? request.cache() : null,
              batch ? BatchSpool.root(request.output()) : null,
              taskOf(recipe, stageName, stage)));
    }
    for (String id : checkTemplates(recipe)) {
      templateHashes.put(id, prompts.get(id).sha256());
    }
    RunPlan plan =
        new RunPlan(
            recipe.name(),
            loaded.sha256(),
            recipe.probe().minShortSideOrDefault(),
            recipe.probe().maxPixelsOrDefault(),
            stages,
            templateHashes,
            recipe.lang(),
            recipe.probe().nearDuplicateDistanceOrDefault(),
            checkSettings(recipe, stages),
            null,
            batches);
    return plan.withImageWorstCaseUsd(WorstCase.perImage(plan, prices));
  }

  /** The endpoint's batch settings; an endpoint without a batch API is refused, by name. */
  private BatchSettings batchLane(String recipe, String stageName, String endpoint) {
    BatchSettings settings = endpoints.batchLanes().get(endpoint);
    if (settings == null) {
      throw new IllegalArgumentException(
          "recipe "
              + recipe
              + ", stage "
              + stageName
              + ": endpoint '"
              + endpoint
              + "' ("
              + endpoints.providers().getOrDefault(endpoint, "unknown provider")
              + ") has no batch API; the batch lane is supported for openai, anthropic and"
              + " gemini endpoints");
    }
    return settings;
  }

  /** The fixed templates the recipe's checks use, in English and Chinese, so typos fail now. */
  private List<String> checkTemplates(Recipe recipe) {
    List<String> bases = new ArrayList<>();
    boolean scored =
        recipe.stages().values().stream()
            .anyMatch(stage -> stage != null && stage.checksOrEmpty().contains(Recipe.PERPLEXITY));
    if (scored) {
      bases.add("checks/perplexity");
    }
    Recipe.Stage evaluate = recipe.stages().get("evaluate");
    if (evaluate == null) {
      return bases.stream().flatMap(base -> Stream.of(base + "-en-1", base + "-zh-1")).toList();
    }
    for (String check : evaluate.checksOrEmpty()) {
      switch (check) {
        case "multi_prompt_consistency" -> bases.add("checks/compare");
        case "multi_context_consistency" ->
            bases.addAll(
                List.of("checks/compare", "checks/answer-image-only", "checks/answer-ocr-only"));
        case "answerable_without_image" ->
            bases.addAll(List.of("checks/compare-blind", "checks/answer-blind"));
        case "grammar" -> bases.add("checks/grammar");
        default -> {}
      }
    }
    List<String> ids = new ArrayList<>();
    for (String base : bases.stream().distinct().toList()) {
      ids.add(base + "-en-1");
      ids.add(base + "-zh-1");
    }
    return ids;
  }

  private RunPlan.CheckSettings checkSettings(
      Recipe recipe, Map<String, RunPlan.StagePlan> stages) {
    Recipe.Checks checks = recipe.checks();
    RunPlan.CheckSettings defaults = RunPlan.CheckSettings.DEFAULT;
    return new RunPlan.CheckSettings(
        checks.captionMinChars() == null ? defaults.captionMinChars() : checks.captionMinChars(),
        checks.captionMaxChars() == null ? defaults.captionMaxChars() : checks.captionMaxChars(),
        checks.maxRepetition() == null ? defaults.maxRepetition() : checks.maxRepetition(),
        checks.consistencyPrompts() == null
            ? defaults.consistencyPrompts()
            : checks.consistencyPrompts(),
        perplexity(recipe, stages),
        checks.shortAnswerMaxWords() == null ? 0 : checks.shortAnswerMaxWords(),
        checks.briefCaptionMaxWords() == null ? 0 : checks.briefCaptionMaxWords());
  }

  /**
   * The perplexity check's scorer, when a stage lists the check. Only an OpenAI-compatible server
   * can return prompt log-probabilities; a provider API (OpenAI, Gemini, Anthropic) is refused
   * here, naming the endpoint. Whether the server really returns them is probed when the run
   * starts.
   */
  private RunPlan.Perplexity perplexity(Recipe recipe, Map<String, RunPlan.StagePlan> stages) {
    String captionStage = null;
    for (String name : List.of(RunPlan.DESCRIBE, RunPlan.CAPTION_QA)) {
      if (stages.containsKey(name) && stages.get(name).checks().contains(Recipe.PERPLEXITY)) {
        captionStage = name;
      }
    }
    if (captionStage == null) {
      return null;
    }
    Recipe.Checks checks = recipe.checks();
    String endpoint =
        checks.perplexityEndpoint() == null
            ? stages.get(captionStage).endpoint()
            : resolveEndpoints(
                    recipe.name(),
                    "perplexity",
                    new Recipe.Stage(
                        List.of(checks.perplexityEndpoint()),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null))
                .get(0);
    String provider = endpoints.providers().get(endpoint);
    if (!ProviderKind.OPENAI_COMPATIBLE.configName().equals(provider)) {
      throw new IllegalArgumentException(
          "recipe "
              + recipe.name()
              + ": the 'perplexity' check scores captions with prompt log-probabilities, which"
              + " endpoint '"
              + endpoint
              + "' ("
              + (provider == null ? "unknown provider" : provider)
              + ") cannot return; name an openai-compatible endpoint that serves the scoring model"
              + " (vLLM) in checks.perplexityEndpoint");
    }
    String model =
        checks.perplexityModel() == null
            ? endpoints.defaultModels().get(endpoint)
            : checks.perplexityModel();
    return new RunPlan.Perplexity(
        endpoint, model, checks.maxPerplexity(), checks.keepLowestShare());
  }

  /** A stage's short-form task: its own, or for ask and answer the other one's. */
  private static String taskOf(Recipe recipe, String stageName, Recipe.Stage stage) {
    if (stage.task() != null) {
      return stage.task();
    }
    String partner =
        switch (stageName) {
          case RunPlan.ASK -> RunPlan.ANSWER;
          case RunPlan.ANSWER -> RunPlan.ASK;
          default -> null;
        };
    Recipe.Stage other = partner == null ? null : recipe.stages().get(partner);
    return other == null ? null : other.task();
  }

  /** Flex is sold by OpenAI alone: every endpoint a flex stage may call must sell it. */
  private void requireFlex(String recipe, String stageName, List<String> stageEndpoints) {
    for (String endpoint : stageEndpoints) {
      if (!endpoints.flexEndpoints().contains(endpoint)) {
        throw new IllegalArgumentException(
            "recipe "
                + recipe
                + ", stage "
                + stageName
                + ": lane flex needs an endpoint whose provider sells it (openai), but endpoint '"
                + endpoint
                + "' does not");
      }
    }
  }

  private List<String> resolveEndpoints(String recipe, String stageName, Recipe.Stage stage) {
    List<String> named =
        stage.endpoints() == null || stage.endpoints().isEmpty()
            ? List.of("default")
            : stage.endpoints();
    List<String> resolved = new ArrayList<>();
    for (String name : named) {
      String endpoint = "default".equals(name) ? endpoints.defaultEndpoint() : name;
      if (!endpoints.defaultModels().containsKey(endpoint)) {
        throw new IllegalArgumentException(
            "recipe "
                + recipe
                + ", stage "
                + stageName
                + ": endpoint '"
                + endpoint
                + "' is not configured (configured: "
                + String.join(", ", endpoints.defaultModels().keySet())
                + ")");
      }
      resolved.add(endpoint);
    }
    return List.copyOf(resolved);
  }
}
