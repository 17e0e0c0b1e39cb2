package dev.loupe.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.RunPlan;
import dev.loupe.prompt.PromptLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipeLibraryTest {
  @TempDir Path dir;

  @Test
  void builtInRecipesLoadAndPlanAgainstTheDefaultEndpoint() throws IOException {
    ConfigFiles files = ProjectConfig.files();
    Planner planner =
        new Planner(
            new RecipeLibrary(files),
            new PromptLibrary(files),
            new Endpoints("openai", Map.of("openai", "gpt-4.1-mini")));
    RunPlan plan = planner.plan(DatasetRequest.of("file:///in/", "file:///out/"));
    assertThat(plan.recipe()).isEqualTo("allava");
    assertThat(plan.recipeHash()).hasSize(64);
    assertThat(plan.minShortSide()).isEqualTo(512);
    assertThat(plan.stages().keySet()).containsExactly("describe", "ask", "answer", "evaluate");
    assertThat(plan.stage("describe").endpoints()).containsExactly("openai");
    assertThat(plan.stage("describe").model()).isEqualTo("gpt-4.1-mini");
    assertThat(plan.stage("evaluate").checks()).containsExactly("self_evaluation");
    assertThat(plan.templateHashes()).containsKey("allava/describe-en-1");

    RunPlan captions =
        planner.plan(DatasetRequest.of("file:///in/", "file:///out/").withRecipe("sharegpt4v"));
    assertThat(captions.stages().keySet()).containsExactly("describe");
  }

  @Test
  void everyBuiltInRecipePlansWithItsTemplatesHashed() throws IOException {
    ConfigFiles files = ProjectConfig.files();
    // An OpenAI-compatible server (vLLM) can score perplexity as well as answer every stage.
    Planner planner =
        new Planner(
            new RecipeLibrary(files),
            new PromptLibrary(files),
            new Endpoints(
                "openai",
                Map.of("openai", "gpt-4.1-mini"),
                java.util.Set.of(),
                Map.of("openai", "openai-compatible"),
                Map.of()));
    try (var recipes = Files.list(ProjectConfig.directory().resolve("recipes"))) {
      for (Path file : recipes.toList()) {
        String name = file.getFileName().toString().replace(".yaml", "");
        RunPlan plan =
            planner.plan(DatasetRequest.of("file:///in/", "file:///out/").withRecipe(name));
        assertThat(plan.recipe()).isEqualTo(name);
        plan.stages()
            .values()
            .forEach(stage -> assertThat(stage.endpoints()).containsExactly("openai"));
        assertThat(plan.templateHashes()).allSatisfy((id, hash) -> assertThat(hash).hasSize(64));
      }
    }
    RunPlan textsquare =
        planner.plan(DatasetRequest.of("file:///in/", "file:///out/").withRecipe("textsquare"));
    assertThat(textsquare.stages().keySet())
        .containsExactly("ocr", "describe", "ask", "answer", "reason", "evaluate");
    assertThat(textsquare.stage("evaluate").checks()).hasSizeGreaterThanOrEqualTo(3);
    assertThat(textsquare.templateHashes())
        .containsKeys("checks/compare-en-1", "checks/compare-zh-1");
    assertThat(textsquare.nearDuplicateDistance()).isEqualTo(4);
  }

  @Test
  void checkOnTheWrongStageIsNamed() throws IOException {
    write(
        "recipes/misplaced.yaml",
        "name: misplaced\nstages:\n  describe: {templates: [a], checks: [grammar]}\n");
    assertThatThrownBy(() -> new RecipeLibrary(new ConfigFiles(dir)).load("misplaced"))
        .hasMessageContaining("check 'grammar' does not belong on stage 'describe'");
  }

  @Test
  void multiPromptConsistencyNeedsTwoAnswerWordings() throws IOException {
    write(
        "recipes/one.yaml",
        "name: one\nstages:\n  describe: {templates: [a]}\n  ask: {templates: [a]}\n"
            + "  answer: {templates: [a]}\n"
            + "  evaluate: {templates: [a], checks: [multi_prompt_consistency]}\n");
    assertThatThrownBy(() -> new RecipeLibrary(new ConfigFiles(dir)).load("one"))
        .hasMessageContaining("at least two 'answer' templates");
  }

  @Test
  void unknownRecipeNamesItselfAndWhereItWasLooked() {
    RecipeLibrary recipes = new RecipeLibrary(new ConfigFiles(dir));
    assertThatThrownBy(() -> recipes.load("nonesuch"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown recipe 'nonesuch'");
  }

  @Test
  void unknownKeyIsRejectedWithItsName() throws IOException {
    write("recipes/typo.yaml", "name: typo\nstages:\n  describe:\n    templatez: [a]\n");
    assertThatThrownBy(() -> new RecipeLibrary(new ConfigFiles(dir)).load("typo"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown key 'templatez'");
  }

  @Test
  void unknownStageAndCheckAreClearErrors() throws IOException {
    write("recipes/stage.yaml", "name: stage\nstages:\n  paint:\n    templates: [a]\n");
    assertThatThrownBy(() -> new RecipeLibrary(new ConfigFiles(dir)).load("stage"))
        .hasMessageContaining("unknown stage 'paint'");
    write(
        "recipes/check.yaml",
        "name: check\nstages:\n  describe: {templates: [a]}\n  ask: {templates: [a]}\n"
            + "  answer: {templates: [a]}\n  evaluate: {templates: [a], checks: [vibes]}\n");
    assertThatThrownBy(() -> new RecipeLibrary(new ConfigFiles(dir)).load("check"))
        .hasMessageContaining("unknown check 'vibes'");
  }

  @Test
  void stageNamingAnUnconfiguredEndpointFailsThePlan() throws IOException {
    write(
        "recipes/remote.yaml",
        "name: remote\nstages:\n  describe: {templates: [t], endpoints: [gemini]}\n");
    write("prompts/t.txt", "Describe.");
    ConfigFiles files = new ConfigFiles(dir);
    Planner planner =
        new Planner(
            new RecipeLibrary(files),
            new PromptLibrary(files),
            new Endpoints("openai", Map.of("openai", "m")));
    assertThatThrownBy(
            () -> planner.plan(DatasetRequest.of("file:///a/", "file:///b/").withRecipe("remote")))
        .hasMessageContaining("endpoint 'gemini' is not configured");
  }

  @Test
  void missingTemplateFailsThePlanNamingIt() throws IOException {
    write("recipes/lost.yaml", "name: lost\nstages:\n  describe: {templates: [gone/away]}\n");
    ConfigFiles files = new ConfigFiles(dir);
    Planner planner =
        new Planner(
            new RecipeLibrary(files),
            new PromptLibrary(files),
            new Endpoints("openai", Map.of("openai", "m")));
    assertThatThrownBy(
            () -> planner.plan(DatasetRequest.of("file:///a/", "file:///b/").withRecipe("lost")))
        .hasMessageContaining("unknown prompt template 'gone/away'");
  }

  private void write(String relative, String text) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
