package dev.loupe.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.RunPlan;
import dev.loupe.prompt.PromptLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The perplexity check and the short-form tasks as recipes state them and plans carry them. */
class PlannerShortFormTest {
  @TempDir Path dir;

  private static final DatasetRequest REQUEST = DatasetRequest.of("file:///in/", "file:///out/");

  /** {@code openai} (OpenAI), {@code engine} (vLLM), {@code gemini}. */
  private static Endpoints endpoints() {
    Map<String, String> models = new LinkedHashMap<>();
    models.put("openai", "gpt-4.1-mini");
    models.put("engine", "loupe-tiny-untrained");
    models.put("gemini", "gemini-2.5-flash");
    return new Endpoints(
        "openai",
        models,
        Set.of("openai"),
        Map.of("openai", "openai", "engine", "openai-compatible", "gemini", "gemini"),
        Map.of());
  }

  private Planner planner() {
    ConfigFiles files = new ConfigFiles(dir);
    return new Planner(new RecipeLibrary(files), new PromptLibrary(files), endpoints());
  }

  private void write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  private RunPlan plan(String recipe) throws IOException {
    return planner().plan(REQUEST.withRecipe(recipe));
  }

  private void captions(String checks) throws IOException {
    write("prompts/t/describe-en-1.txt", "Describe.");
    write("prompts/checks/perplexity-en-1.txt", "Describe this image.");
    write("prompts/checks/perplexity-zh-1.txt", "描述这张图片。");
    write(
        "recipes/scored.yaml",
        "name: scored\nstages:\n  describe:\n    templates: [t/describe-en-1]\n"
            + "    checks: [caption_length, perplexity]\nchecks:\n"
            + checks);
  }

  @Test
  void perplexityOnAProviderApiIsRefusedNamingTheEndpoint() throws IOException {
    captions("  maxPerplexity: 500\n");
    assertThatThrownBy(() -> plan("scored"))
        .hasMessageContaining("endpoint 'openai' (openai) cannot return")
        .hasMessageContaining("checks.perplexityEndpoint");

    captions("  maxPerplexity: 500\n  perplexityEndpoint: gemini\n");
    assertThatThrownBy(() -> plan("scored"))
        .hasMessageContaining("endpoint 'gemini' (gemini) cannot return");
  }

  @Test
  void perplexityOnAnOpenAiCompatibleEndpointIsPlannedWithItsThresholds() throws IOException {
    captions("  perplexityEndpoint: engine\n  maxPerplexity: 5000\n  keepLowestShare: 0.2\n");

    RunPlan plan = plan("scored");

    RunPlan.Perplexity perplexity = plan.checkSettingsOrDefault().perplexity();
    assertThat(perplexity)
        .isEqualTo(new RunPlan.Perplexity("engine", "loupe-tiny-untrained", 5000.0, 0.2));
    assertThat(plan.templateHashes())
        .containsKeys("checks/perplexity-en-1", "checks/perplexity-zh-1");
  }

  @Test
  void anUnknownScoringEndpointIsNamed() throws IOException {
    captions("  perplexityEndpoint: vllm\n  maxPerplexity: 50\n");
    assertThatThrownBy(() -> plan("scored"))
        .hasMessageContaining("endpoint 'vllm' is not configured");
  }

  @Test
  void perplexityNeedsAThresholdAndSaneValues() throws IOException {
    captions("  perplexityEndpoint: engine\n");
    assertThatThrownBy(() -> plan("scored")).hasMessageContaining("needs checks.maxPerplexity");
    captions("  keepLowestShare: 1.5\n");
    assertThatThrownBy(() -> plan("scored"))
        .hasMessageContaining("keepLowestShare must be above 0");
    captions("  maxPerplexity: 0.5\n");
    assertThatThrownBy(() -> plan("scored")).hasMessageContaining("at least 1");
  }

  @Test
  void perplexitySettingsWithoutTheCheckAreAnError() throws IOException {
    write("prompts/t/describe-en-1.txt", "Describe.");
    write(
        "recipes/unscored.yaml",
        "name: unscored\nstages:\n  describe: {templates: [t/describe-en-1]}\n"
            + "checks:\n  maxPerplexity: 50\n");
    assertThatThrownBy(() -> plan("unscored")).hasMessageContaining("which no stage lists");
  }

  @Test
  void taskOnAskAppliesToAnswerAndModelFreeEvaluateNeedsNoTemplate() throws IOException {
    write("prompts/t/ask-en-1.txt", "Ask {{count}}.");
    write("prompts/t/answer-en-1.txt", "{{question}}");
    write(
        "recipes/short.yaml",
        "name: short\nstages:\n"
            + "  ask: {templates: [t/ask-en-1], task: short_answer}\n"
            + "  answer: {templates: [t/answer-en-1]}\n"
            + "  evaluate: {checks: [answer_form]}\n"
            + "checks: {shortAnswerMaxWords: 3}\n");

    RunPlan plan = plan("short");

    assertThat(plan.stage("ask").task()).isEqualTo("short_answer");
    assertThat(plan.stage("answer").task()).isEqualTo("short_answer");
    assertThat(plan.stage("evaluate").templates()).isEmpty();
    assertThat(plan.checkSettingsOrDefault().shortAnswerMaxWords()).isEqualTo(3);
    assertThat(plan.checkSettingsOrDefault().briefCaptionMaxWords()).isEqualTo(30);
  }

  @Test
  void tasksMustFitTheirStagesAndAgree() throws IOException {
    write(
        "recipes/wrong.yaml",
        "name: wrong\nstages:\n  describe: {templates: [t/d], task: short_answer}\n");
    assertThatThrownBy(() -> plan("wrong"))
        .hasMessageContaining("stage 'describe' has task 'short_answer'");
    write(
        "recipes/disagree.yaml",
        "name: disagree\nstages:\n"
            + "  ask: {templates: [t/a], task: short_answer}\n"
            + "  answer: {templates: [t/b], task: multiple_choice}\n");
    assertThatThrownBy(() -> plan("disagree")).hasMessageContaining("must have the same task");
  }

  @Test
  void builtInShortFormRecipesPlan() throws IOException {
    ConfigFiles files = ProjectConfig.files();
    Planner planner = new Planner(new RecipeLibrary(files), new PromptLibrary(files), endpoints());
    RunPlan instructblip = planner.plan(REQUEST.withRecipe("instructblip"));
    assertThat(instructblip.stage("describe").task()).isEqualTo("brief_caption");
    assertThat(instructblip.stage("answer").task()).isEqualTo("short_answer");
    RunPlan choice = planner.plan(REQUEST.withRecipe("instructblip-choice"));
    assertThat(choice.stage("ask").task()).isEqualTo("multiple_choice");
    assertThatThrownBy(() -> planner.plan(REQUEST.withRecipe("points-captions")))
        .hasMessageContaining("endpoint 'openai' (openai) cannot return");
  }
}
