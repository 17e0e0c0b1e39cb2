package dev.loupe.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.contract.BatchSettings;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.Lane;
import dev.loupe.contract.RunPlan;
import dev.loupe.pricing.PriceTable;
import dev.loupe.prompt.PromptLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lanes and budgets are checked when the run starts, naming what is wrong. */
class PlannerLaneTest {
  private static final DatasetRequest REQUEST =
      DatasetRequest.of("file:///in/", "file:///out/").withRecipe("two");

  @TempDir Path dir;
  private Planner planner;

  @BeforeEach
  void twoStageRecipe() throws IOException {
    write(
        "recipes/two.yaml",
        """
        name: two
        stages:
          describe: {templates: [t], endpoints: [oa]}
          ask: {templates: [t], endpoints: [oa], lane: batch}
          answer: {templates: [t], endpoints: [oa]}
        """);
    write("prompts/t.txt", "Describe.");
    ConfigFiles files = new ConfigFiles(dir);
    planner =
        new Planner(
            new RecipeLibrary(files),
            new PromptLibrary(files),
            new Endpoints(
                "oa",
                Map.of("oa", "gpt-4.1-mini", "claude", "c-1", "vllm", "v-1"),
                Set.of("oa"),
                Map.of("oa", "openai", "claude", "anthropic", "vllm", "openai-compatible"),
                Map.of("oa", new BatchSettings(50_000, 200_000_000L, 300, 30))),
            new PriceTable(Map.of("gpt-4.1-mini", new PriceTable.Price(0.4, 1.6))));
  }

  @Test
  void stagesWithoutALaneTakeTheRequestsAndOwnLanesWin() throws IOException {
    RunPlan online = planner.plan(REQUEST);
    assertThat(online.stage("describe").lane()).isEqualTo(Lane.ONLINE);
    assertThat(online.stage("ask").lane()).isEqualTo(Lane.BATCH);

    RunPlan flex = planner.plan(REQUEST.withLane("flex"));
    assertThat(flex.stage("describe").lane()).isEqualTo(Lane.FLEX);
    assertThat(flex.stage("answer").lane()).isEqualTo(Lane.FLEX);
    assertThat(flex.stage("ask").lane()).isEqualTo(Lane.BATCH);
  }

  @Test
  void batchStagesWaitInTheOutputsSpoolAndThePlanCarriesTheirEndpointsSettings()
      throws IOException {
    RunPlan plan = planner.plan(REQUEST);

    assertThat(plan.stage("ask").batchSpool()).isEqualTo("file:///out/.loupe/batch/");
    assertThat(plan.stage("describe").batchSpool()).isNull();
    assertThat(plan.batchesOrEmpty())
        .containsExactly(Map.entry("oa", new BatchSettings(50_000, 200_000_000L, 300, 30)));
  }

  @Test
  void batchOnAnEndpointWithoutABatchApiIsRefusedNamingTheEndpoint() throws IOException {
    write(
        "recipes/two.yaml",
        "name: two\nstages:\n  describe: {templates: [t], endpoints: [vllm], lane: batch}\n");

    assertThatThrownBy(() -> planner.plan(REQUEST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoint 'vllm' (openai-compatible) has no batch API");
  }

  @Test
  void flexOnAnEndpointWithoutItIsRefusedNamingTheEndpoint() throws IOException {
    write(
        "recipes/two.yaml",
        "name: two\nstages:\n  describe: {templates: [t], endpoints: [claude], lane: flex}\n");

    assertThatThrownBy(() -> planner.plan(REQUEST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoint 'claude'")
        .hasMessageContaining("flex");
  }

  @Test
  void aBudgetWithAnUnpricedModelIsRefusedNamingTheModel() throws IOException {
    write(
        "recipes/two.yaml",
        "name: two\nstages:\n  describe: {templates: [t], endpoints: [claude]}\n");

    assertThat(planner.plan(REQUEST).stage("describe").model()).isEqualTo("c-1");
    assertThatThrownBy(() -> planner.plan(REQUEST.withBudget(5.0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model 'c-1' has no price");
  }

  @Test
  void aBudgetWithPricedModelsPlans() throws IOException {
    assertThat(planner.plan(REQUEST.withBudget(5.0)).stages()).hasSize(3);
  }

  @Test
  void anUnknownLaneInARecipeFailsNamingTheLanes() throws IOException {
    write(
        "recipes/two.yaml",
        "name: two\nstages:\n  describe: {templates: [t], endpoints: [oa], lane: slow}\n");

    assertThatThrownBy(() -> planner.plan(REQUEST)).hasStackTraceContaining("online|batch|flex");
  }

  private void write(String relative, String text) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
