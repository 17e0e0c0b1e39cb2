package dev.loupe.recipe;

import dev.loupe.batch.BatchSpool;
import dev.loupe.contract.BatchSettings;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.Lane;
import dev.loupe.contract.RunPlan;
import dev.loupe.prompt.PromptLibrary;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Resolves a recipe against the configured endpoints into a {@link RunPlan}. Every name is checked
 * here, when the run starts, so that a typo fails the run at once instead of every image.
 */
public final class Planner {
  static final int DEFAULT_MAX_OUTPUT_TOKENS = 1024;

  private final RecipeLibrary recipes;
  private final PromptLibrary prompts;
  private final Endpoints endpoints;

  public Planner(RecipeLibrary recipes, PromptLibrary prompts, Endpoints endpoints) {
    this.recipes = recipes;
    this.prompts = prompts;
    this.endpoints = endpoints;
  }

  /**
   * @throws IllegalArgumentException naming the recipe, stage or endpoint that is wrong
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
              ? new Recipe.Stage(null, null, null, null, null, null, null, null)
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
      Lane lane = lane(recipe.name(), stageName, stage);
      boolean batch = lane == Lane.BATCH && !RunPlan.StagePlan.CAPTIONER_POOL.equals(pool);
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
              batch ? BatchSpool.root(request.output()) : null));
    }
    for (String id : checkTemplates(recipe)) {
      templateHashes.put(id, prompts.get(id).sha256());
    }
    return new RunPlan(
        recipe.name(),
        loaded.sha256(),
        recipe.probe().minShortSideOrDefault(),
        recipe.probe().maxPixelsOrDefault(),
        stages,
        templateHashes,
        recipe.lang(),
        recipe.probe().nearDuplicateDistanceOrDefault(),
        checkSettings(recipe.checks()),
        batches);
  }

  private static Lane lane(String recipe, String stageName, Recipe.Stage stage) {
    if (stage.lane() == null) {
      return Lane.ONLINE;
    }
    try {
      return Lane.fromName(stage.lane());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "recipe " + recipe + ", stage " + stageName + ": " + e.getMessage(), e);
    }
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
    Recipe.Stage evaluate = recipe.stages().get("evaluate");
    if (evaluate == null) {
      return List.of();
    }
    List<String> bases = new ArrayList<>();
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

  private static RunPlan.CheckSettings checkSettings(Recipe.Checks checks) {
    RunPlan.CheckSettings defaults = RunPlan.CheckSettings.DEFAULT;
    return new RunPlan.CheckSettings(
        checks.captionMinChars() == null ? defaults.captionMinChars() : checks.captionMinChars(),
        checks.captionMaxChars() == null ? defaults.captionMaxChars() : checks.captionMaxChars(),
        checks.maxRepetition() == null ? defaults.maxRepetition() : checks.maxRepetition(),
        checks.consistencyPrompts() == null
            ? defaults.consistencyPrompts()
            : checks.consistencyPrompts());
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
