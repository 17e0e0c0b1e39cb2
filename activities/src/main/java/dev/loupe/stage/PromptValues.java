package dev.loupe.stage;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Placeholder values for prompt templates. Every known placeholder has a value (empty when the item
 * has none), so a template may use any of them.
 */
public final class PromptValues {
  private final Map<String, String> values = new HashMap<>();

  private PromptValues() {
    for (String name :
        List.of("caption", "ocr", "question", "answer", "answers", "alt_text", "count")) {
      values.put(name, "");
    }
  }

  public static PromptValues create() {
    return new PromptValues();
  }

  public PromptValues with(String name, String value) {
    if (!values.containsKey(name)) {
      throw new IllegalArgumentException("unknown placeholder {{" + name + "}}");
    }
    values.put(name, value == null ? "" : value.strip());
    return this;
  }

  /** Several answers as a numbered, quoted list. */
  public PromptValues withAnswers(List<String> answers) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < answers.size(); i++) {
      text.append("Answer ").append(i + 2).append(":\n\"\"\"\n").append(answers.get(i).strip());
      text.append("\n\"\"\"\n");
    }
    return with("answers", text.toString());
  }

  public Map<String, String> toMap() {
    return Map.copyOf(values);
  }
}
