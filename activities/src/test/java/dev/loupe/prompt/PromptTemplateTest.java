package dev.loupe.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.recipe.ProjectConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromptTemplateTest {
  @Test
  void rendersValuesVerbatimIncludingDollarsAndBraces() {
    PromptTemplate template = new PromptTemplate("t", "Caption: \"\"\"{{caption}}\"\"\"", "h");
    assertThat(template.render(Map.of("caption", "costs $5 {{not a slot}}")))
        .isEqualTo("Caption: \"\"\"costs $5 {{not a slot}}\"\"\"");
  }

  @Test
  void missingValueNamesThePlaceholder() {
    PromptTemplate template = new PromptTemplate("t", "Q: {{question}}", "h");
    assertThatThrownBy(() -> template.render(Map.of()))
        .hasMessageContaining("{{question}}")
        .hasMessageContaining("template t");
  }

  @Test
  void pickIsDeterministicPerImageAndSpreadsOverTemplates() {
    PromptLibrary library = new PromptLibrary(ProjectConfig.files());
    List<String> ids =
        List.of("allava/describe-en-1", "allava/describe-en-2", "allava/describe-en-3");
    String first = library.pick(ids, "aa", "describe").id();
    assertThat(library.pick(ids, "aa", "describe").id()).isEqualTo(first);
    long distinct =
        java.util.stream.IntStream.range(0, 60)
            .mapToObj(i -> library.pick(ids, "image-" + i, "describe").id())
            .distinct()
            .count();
    assertThat(distinct).isEqualTo(3);
  }
}
