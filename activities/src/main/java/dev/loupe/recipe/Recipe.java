package dev.loupe.recipe;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A recipe as written in {@code config/recipes/<name>.yaml}: probe limits and the stages, in order,
 * with their endpoint, model, templates, question counts and checks. Validated on load: unknown
 * stages, checks and keys are errors.
 */
public record Recipe(
    String name,
    String description,
    Probe probe,
    @JsonProperty(required = true) LinkedHashMap<String, Stage> stages) {

  /** Stages this version of Loupe runs. */
  public static final Set<String> KNOWN_STAGES = Set.of("describe", "ask", "answer", "evaluate");

  /** Checks this version of Loupe runs. */
  public static final Set<String> KNOWN_CHECKS = Set.of("self_evaluation");

  public Recipe {
    Objects.requireNonNull(name, "recipe name");
    probe = probe == null ? Probe.DEFAULT : probe;
    if (stages == null || stages.isEmpty()) {
      throw new IllegalArgumentException("recipe " + name + " lists no stages");
    }
    for (Map.Entry<String, Stage> entry : stages.entrySet()) {
      if (!KNOWN_STAGES.contains(entry.getKey())) {
        throw new IllegalArgumentException(
            "recipe "
                + name
                + ": unknown stage '"
                + entry.getKey()
                + "' (known: "
                + String.join(", ", KNOWN_STAGES.stream().sorted().toList())
                + ")");
      }
      Stage stage = entry.getValue();
      if (stage == null || stage.templates() == null || stage.templates().isEmpty()) {
        throw new IllegalArgumentException(
            "recipe " + name + ": stage '" + entry.getKey() + "' needs at least one template");
      }
      if (stage.pool() != null
          && !stage.pool().equals("api")
          && !(stage.pool().equals("captioner") && entry.getKey().equals("describe"))) {
        throw new IllegalArgumentException(
            "recipe "
                + name
                + ": stage '"
                + entry.getKey()
                + "' has pool '"
                + stage.pool()
                + "' (pools: api; captioner for describe)");
      }
      for (String check : stage.checksOrEmpty()) {
        if (!KNOWN_CHECKS.contains(check)) {
          throw new IllegalArgumentException(
              "recipe "
                  + name
                  + ": unknown check '"
                  + check
                  + "' (known: "
                  + String.join(", ", KNOWN_CHECKS.stream().sorted().toList())
                  + ")");
        }
      }
    }
    if (stages.containsKey("answer") != stages.containsKey("ask")) {
      throw new IllegalArgumentException(
          "recipe " + name + ": stages 'ask' and 'answer' come together");
    }
    if (stages.containsKey("evaluate") && !stages.containsKey("answer")) {
      throw new IllegalArgumentException("recipe " + name + ": 'evaluate' needs 'answer'");
    }
  }

  /**
   * @param minShortSide reject images whose short side is smaller (ALLaVA: 512)
   * @param maxPixels reject images with more pixels, before decoding
   */
  public record Probe(Integer minShortSide, Long maxPixels) {
    static final Probe DEFAULT = new Probe(512, 100_000_000L);

    public int minShortSideOrDefault() {
      return minShortSide == null ? 512 : minShortSide;
    }

    public long maxPixelsOrDefault() {
      return maxPixels == null ? 100_000_000L : maxPixels;
    }
  }

  /**
   * @param endpoints configured endpoint names, first preferred; the default endpoint when absent
   * @param model model name; the endpoint's default model when absent
   * @param templates prompt template ids ({@code config/prompts/<id>.txt})
   * @param questions questions per image (ask stage)
   * @param maxOutputTokens cap on output tokens
   * @param checks checks to run (evaluate stage)
   * @param pool {@code api} (default) or {@code captioner} (describe only: the GPU pool)
   */
  public record Stage(
      List<String> endpoints,
      String model,
      List<String> templates,
      Integer questions,
      Integer maxOutputTokens,
      List<String> checks,
      String pool) {

    public List<String> checksOrEmpty() {
      return checks == null ? List.of() : checks;
    }
  }
}
