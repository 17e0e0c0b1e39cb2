package dev.loupe.recipe;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.loupe.contract.Lane;
import dev.loupe.contract.ShortTask;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A recipe as written in {@code config/recipes/<name>.yaml}: probe limits, check thresholds and the
 * stages, in order, with their endpoints, model, templates, question counts and checks. Validated
 * on load: unknown stages, checks, keys and impossible combinations are errors that name what is
 * wrong.
 *
 * @param name the recipe's name (its file name)
 * @param description what it makes
 * @param lang prompt language when the source item names none ({@code en}, {@code zh})
 * @param probe image limits
 * @param checks check thresholds
 * @param stages stage name to settings, in pipeline order
 */
public record Recipe(
    String name,
    String description,
    String lang,
    Probe probe,
    Checks checks,
    @JsonProperty(required = true) LinkedHashMap<String, Stage> stages) {

  /** Stages this version of Loupe runs. */
  public static final Set<String> KNOWN_STAGES =
      Set.of("ocr", "describe", "caption_qa", "fuse", "ask", "answer", "reason", "evaluate");

  /** Checks of a caption, listed on the describe or caption_qa stage. */
  public static final Set<String> CAPTION_CHECKS =
      Set.of("caption_length", "caption_repetition", "caption_form", "perplexity");

  /** The check that scores captions with a model's log-probabilities (POINTS1.5). */
  public static final String PERPLEXITY = "perplexity";

  /** QA checks that need no model call, so an evaluate stage with only these needs no template. */
  public static final Set<String> MODEL_FREE_QA_CHECKS = Set.of("answer_form");

  /** Checks of a QA pair, listed on the evaluate stage. */
  public static final Set<String> QA_CHECKS =
      Set.of(
          "self_evaluation",
          "multi_prompt_consistency",
          "multi_context_consistency",
          "answerable_without_image",
          "grammar",
          "answer_form");

  public Recipe {
    Objects.requireNonNull(name, "recipe name");
    lang = lang == null ? "en" : lang;
    probe = probe == null ? Probe.DEFAULT : probe;
    checks = checks == null ? Checks.DEFAULT : checks;
    if (stages == null || stages.isEmpty()) {
      throw new IllegalArgumentException("recipe " + name + " lists no stages");
    }
    for (Map.Entry<String, Stage> entry : stages.entrySet()) {
      validateStage(name, entry.getKey(), entry.getValue());
    }
    validateCombination(name, stages);
    validatePerplexity(name, stages, checks);
    validateTasks(name, stages);
  }

  private static void validatePerplexity(String recipe, Map<String, Stage> stages, Checks checks) {
    boolean listed =
        stages.values().stream()
            .anyMatch(stage -> stage != null && stage.checksOrEmpty().contains(PERPLEXITY));
    boolean configured =
        checks.maxPerplexity() != null
            || checks.keepLowestShare() != null
            || checks.perplexityEndpoint() != null;
    if (!listed) {
      if (configured) {
        throw new IllegalArgumentException(
            "recipe "
                + recipe
                + ": checks.maxPerplexity, keepLowestShare and perplexityEndpoint belong to the"
                + " 'perplexity' check, which no stage lists");
      }
      return;
    }
    if (checks.maxPerplexity() == null && checks.keepLowestShare() == null) {
      throw new IllegalArgumentException(
          "recipe "
              + recipe
              + ": the 'perplexity' check needs checks.maxPerplexity (drop captions above it),"
              + " checks.keepLowestShare (keep that share of the run, lowest perplexity first), or"
              + " both");
    }
    if (checks.maxPerplexity() != null && !(checks.maxPerplexity() >= 1)) {
      throw new IllegalArgumentException(
          "recipe "
              + recipe
              + ": checks.maxPerplexity must be at least 1 (no text has a lower perplexity), got "
              + checks.maxPerplexity());
    }
    if (checks.keepLowestShare() != null
        && !(checks.keepLowestShare() > 0 && checks.keepLowestShare() <= 1)) {
      throw new IllegalArgumentException(
          "recipe "
              + recipe
              + ": checks.keepLowestShare must be above 0 and at most 1, got "
              + checks.keepLowestShare());
    }
  }

  private static void validateTasks(String recipe, Map<String, Stage> stages) {
    for (Map.Entry<String, Stage> entry : stages.entrySet()) {
      String task = entry.getValue() == null ? null : entry.getValue().task();
      if (task == null) {
        continue;
      }
      Set<String> allowed =
          switch (entry.getKey()) {
            case "describe" -> ShortTask.CAPTION_TASKS;
            case "ask", "answer" -> ShortTask.QUESTION_TASKS;
            default -> Set.of();
          };
      if (!allowed.contains(task)) {
        throw new IllegalArgumentException(
            "recipe "
                + recipe
                + ": stage '"
                + entry.getKey()
                + "' has task '"
                + task
                + "' (tasks: "
                + String.join(", ", ShortTask.CAPTION_TASKS)
                + " on describe; "
                + String.join(", ", ShortTask.QUESTION_TASKS.stream().sorted().toList())
                + " on ask and answer)");
      }
    }
    Stage ask = stages.get("ask");
    Stage answer = stages.get("answer");
    if (ask != null
        && answer != null
        && ask.task() != null
        && answer.task() != null
        && !ask.task().equals(answer.task())) {
      throw new IllegalArgumentException(
          "recipe "
              + recipe
              + ": stages 'ask' (task "
              + ask.task()
              + ") and 'answer' (task "
              + answer.task()
              + ") must have the same task");
    }
  }

  private static void validateStage(String recipe, String name, Stage stage) {
    if (!KNOWN_STAGES.contains(name)) {
      throw new IllegalArgumentException(
          "recipe "
              + recipe
              + ": unknown stage '"
              + name
              + "' (known: "
              + String.join(", ", KNOWN_STAGES.stream().sorted().toList())
              + ")");
    }
    boolean modelFreeEvaluate =
        name.equals("evaluate")
            && stage != null
            && !stage.checksOrEmpty().isEmpty()
            && MODEL_FREE_QA_CHECKS.containsAll(stage.checksOrEmpty());
    boolean needsTemplates = !name.equals("ocr") && !modelFreeEvaluate;
    if (needsTemplates
        && (stage == null || stage.templates() == null || stage.templates().isEmpty())) {
      throw new IllegalArgumentException(
          "recipe " + recipe + ": stage '" + name + "' needs at least one template");
    }
    if (stage == null) {
      return;
    }
    Set<String> allowed =
        switch (name) {
          case "describe", "caption_qa" -> CAPTION_CHECKS;
          case "evaluate" -> QA_CHECKS;
          default -> Set.of();
        };
    for (String check : stage.checksOrEmpty()) {
      if (!allowed.contains(check)) {
        boolean known = CAPTION_CHECKS.contains(check) || QA_CHECKS.contains(check);
        throw new IllegalArgumentException(
            "recipe "
                + recipe
                + (known
                    ? ": check '" + check + "' does not belong on stage '" + name + "'"
                    : ": unknown check '"
                        + check
                        + "' (known: caption checks "
                        + String.join(", ", CAPTION_CHECKS.stream().sorted().toList())
                        + " on describe; QA checks "
                        + String.join(", ", QA_CHECKS.stream().sorted().toList())
                        + " on evaluate)"));
      }
    }
    validateLane(recipe, name, stage);
    if (stage.pool() != null
        && !stage.pool().equals("api")
        && !(stage.pool().equals("captioner") && name.equals("describe"))) {
      throw new IllegalArgumentException(
          "recipe "
              + recipe
              + ": stage '"
              + name
              + "' has pool '"
              + stage.pool()
              + "' (pools: api; captioner for describe)");
    }
  }

  private static void validateLane(String recipe, String name, Stage stage) {
    if (stage != null
        && stage.lane() != null
        && stage.lane() != Lane.ONLINE
        && "captioner".equals(stage.pool())) {
      throw new IllegalArgumentException(
          "recipe "
              + recipe
              + ": stage '"
              + name
              + "' runs on the captioner pool, which has only the online lane");
    }
  }

  private static void validateCombination(String recipe, Map<String, Stage> stages) {
    boolean single = stages.containsKey("caption_qa");
    if (single && (stages.containsKey("describe") || stages.containsKey("ask"))) {
      throw new IllegalArgumentException(
          "recipe "
              + recipe
              + ": 'caption_qa' replaces 'describe' and 'ask'; list one or the other");
    }
    if (!single && stages.containsKey("answer") != stages.containsKey("ask")) {
      throw new IllegalArgumentException(
          "recipe " + recipe + ": stages 'ask' and 'answer' come together");
    }
    boolean hasAnswers = single || stages.containsKey("answer");
    for (String stage : List.of("evaluate", "reason")) {
      if (stages.containsKey(stage) && !hasAnswers) {
        throw new IllegalArgumentException(
            "recipe " + recipe + ": '" + stage + "' needs 'answer' (or 'caption_qa')");
      }
    }
    if (stages.containsKey("fuse") && !stages.containsKey("describe")) {
      throw new IllegalArgumentException("recipe " + recipe + ": 'fuse' needs 'describe'");
    }
    Stage evaluate = stages.get("evaluate");
    if (evaluate != null) {
      List<String> checks = evaluate.checksOrEmpty();
      boolean needsAnswerStage =
          checks.contains("multi_prompt_consistency")
              || checks.contains("multi_context_consistency")
              || checks.contains("answerable_without_image");
      if (needsAnswerStage && !stages.containsKey("answer")) {
        throw new IllegalArgumentException(
            "recipe "
                + recipe
                + ": consistency and answerable-without-image checks answer again, so they need"
                + " an 'answer' stage");
      }
      if (checks.contains("multi_prompt_consistency")
          && stages.containsKey("answer")
          && stages.get("answer").templates().size() < 2) {
        throw new IllegalArgumentException(
            "recipe "
                + recipe
                + ": multi_prompt_consistency needs at least two 'answer' templates to compare");
      }
    }
  }

  /**
   * @param minShortSide reject images whose short side is smaller (ALLaVA: 512)
   * @param maxPixels reject images with more pixels, before decoding
   * @param nearDuplicateDistance reject images whose perceptual hash is within this many bits of
   *     one already seen under the same output (0: off)
   */
  public record Probe(Integer minShortSide, Long maxPixels, Integer nearDuplicateDistance) {
    static final Probe DEFAULT = new Probe(512, 100_000_000L, 0);

    public int minShortSideOrDefault() {
      return minShortSide == null ? 512 : minShortSide;
    }

    public long maxPixelsOrDefault() {
      return maxPixels == null ? 100_000_000L : maxPixels;
    }

    public int nearDuplicateDistanceOrDefault() {
      return nearDuplicateDistance == null ? 0 : nearDuplicateDistance;
    }
  }

  /**
   * Check thresholds; see {@code RunPlan.CheckSettings}.
   *
   * @param captionMinChars shortest caption accepted
   * @param captionMaxChars longest caption accepted
   * @param maxRepetition largest share of repeated word 4-grams accepted
   * @param consistencyPrompts extra answer wordings for multi-prompt consistency
   * @param perplexityEndpoint the endpoint that scores captions for {@code perplexity} (an
   *     OpenAI-compatible server that returns prompt log-probabilities, such as vLLM); the describe
   *     stage's first endpoint when absent
   * @param perplexityModel the scoring model; the endpoint's default model when absent
   * @param maxPerplexity {@code perplexity} drops captions above it
   * @param keepLowestShare {@code perplexity} keeps this share of the run's scored captions, lowest
   *     perplexity first (POINTS1.5 kept 20%), decided when the run is exported
   * @param shortAnswerMaxWords {@code answer_form}: the most words of a short answer (default 5)
   * @param briefCaptionMaxWords {@code caption_form}: the most words of a brief caption (default
   *     30)
   */
  public record Checks(
      Integer captionMinChars,
      Integer captionMaxChars,
      Double maxRepetition,
      Integer consistencyPrompts,
      String perplexityEndpoint,
      String perplexityModel,
      Double maxPerplexity,
      Double keepLowestShare,
      Integer shortAnswerMaxWords,
      Integer briefCaptionMaxWords) {
    static final Checks DEFAULT =
        new Checks(null, null, null, null, null, null, null, null, null, null);
  }

  /**
   * @param endpoints configured endpoint names, first preferred, the rest fallbacks; the default
   *     endpoint when absent
   * @param model model name; the endpoint's default model when absent
   * @param templates prompt template ids ({@code config/prompts/<id>.txt})
   * @param questions questions per image (ask stage)
   * @param maxOutputTokens cap on output tokens
   * @param checks checks to run (caption checks on describe, QA checks on evaluate)
   * @param pool {@code api} (default) or {@code captioner} (describe only: the GPU pool)
   * @param lane {@code online}, {@code batch} or {@code flex}; the request's lane when absent
   * @param task a short-form task (InstructBLIP): {@code brief_caption} on describe, {@code
   *     short_answer} or {@code multiple_choice} on ask and answer (one given on either applies to
   *     both); long-form output when absent
   */
  public record Stage(
      List<String> endpoints,
      String model,
      List<String> templates,
      Integer questions,
      Integer maxOutputTokens,
      List<String> checks,
      String pool,
      Lane lane,
      String task) {

    /** A long-form stage. */
    public Stage(
        List<String> endpoints,
        String model,
        List<String> templates,
        Integer questions,
        Integer maxOutputTokens,
        List<String> checks,
        String pool,
        Lane lane) {
      this(endpoints, model, templates, questions, maxOutputTokens, checks, pool, lane, null);
    }

    public List<String> checksOrEmpty() {
      return checks == null ? List.of() : checks;
    }

    public List<String> templatesOrEmpty() {
      return templates == null ? List.of() : templates;
    }
  }
}
