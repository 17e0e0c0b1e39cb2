package dev.loupe.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.RunPlan;
import dev.loupe.prompt.PromptLibrary;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CaptionerRecipeTest {

  @Test
  void shareCaptionerRecipeSendsDescribeToTheCaptionerPool() throws IOException {
    ConfigFiles files = ProjectConfig.files();
    Planner planner =
        new Planner(
            new RecipeLibrary(files),
            new PromptLibrary(files),
            new Endpoints("openai", Map.of("openai", "gpt-4.1-mini")));

    RunPlan plan =
        planner.plan(
            DatasetRequest.of("file:///in/", "file:///out/").withRecipe("sharegpt4v-captioner"));

    assertThat(plan.stages().keySet()).containsExactly("describe");
    RunPlan.StagePlan describe = plan.stage("describe");
    assertThat(describe.onCaptioner()).isTrue();
    assertThat(describe.templates()).containsExactly("sharegpt4v-captioner/describe-en-1");
    assertThat(new PromptLibrary(files).get("sharegpt4v-captioner/describe-en-1").render(Map.of()))
        .isEqualTo("Analyze the image in a comprehensive and detailed manner.");
  }
}
