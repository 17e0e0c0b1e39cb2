package dev.loupe.export;

import dev.loupe.contract.ExportRequest;
import dev.loupe.contract.RunPlan;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code run.json}: the resolved request, recipe hash, models and templates, versions, times. */
public final class RunManifest {
  private final Map<String, String> versions;

  /**
   * @param versions component versions to record (Loupe, Temporal SDK, Java)
   */
  public RunManifest(Map<String, String> versions) {
    this.versions = Map.copyOf(versions);
  }

  Map<String, Object> of(ExportRequest request) {
    RunPlan plan = request.plan();
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("dataset_id", request.datasetId());
    run.put("request", request.request());
    run.put("status", request.status());
    Map<String, Object> recipe = new LinkedHashMap<>();
    recipe.put("name", plan.recipe());
    recipe.put("sha256", plan.recipeHash());
    recipe.put("min_short_side", plan.minShortSide());
    recipe.put("max_pixels", plan.maxPixels());
    run.put("recipe", recipe);
    Map<String, Object> stages = new LinkedHashMap<>();
    plan.stages()
        .forEach(
            (name, stage) -> {
              Map<String, Object> entry = new LinkedHashMap<>();
              entry.put("endpoints", stage.endpoints());
              entry.put("model", stage.model());
              entry.put("templates", stage.templates());
              if (name.equals(RunPlan.ASK)) {
                entry.put("questions", stage.questions());
              }
              if (!stage.checks().isEmpty()) {
                entry.put("checks", stage.checks());
              }
              stages.put(name, entry);
            });
    run.put("stages", stages);
    run.put("templates", plan.templateHashes());
    run.put("versions", versions);
    run.put("started_at", Instant.ofEpochMilli(request.startedAtMillis()).toString());
    run.put("finished_at", Instant.ofEpochMilli(request.finishedAtMillis()).toString());
    return run;
  }
}
