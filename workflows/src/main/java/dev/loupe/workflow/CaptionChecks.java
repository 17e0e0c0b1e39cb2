package dev.loupe.workflow;

import dev.loupe.contract.Check;
import dev.loupe.contract.RunPlan.CheckSettings;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks of a caption that need no model: length bounds, repetition (the looping, degenerate
 * captions) and a brief caption's form. POINTS1.5's perplexity filter needs a scoring model and is
 * run by the workflow after these ({@link PerplexityVerdict}).
 */
final class CaptionChecks {
  static final String LENGTH = "caption_length";
  static final String REPETITION = "caption_repetition";
  static final Set<String> ALL = Set.of(LENGTH, REPETITION, ShortForms.CAPTION_FORM);

  private CaptionChecks() {}

  /**
   * The model-free checks among {@code checks}, in their order; the others ({@code perplexity}) are
   * the workflow's to run.
   *
   * @param task the describe stage's short-form task, or null
   */
  static Map<String, Check> run(
      String caption, List<String> checks, CheckSettings settings, String task) {
    Map<String, Check> results = new LinkedHashMap<>();
    for (String check : checks) {
      if (check.equals(LENGTH)) {
        results.put(LENGTH, length(caption, settings));
      } else if (check.equals(REPETITION)) {
        results.put(REPETITION, repetition(caption, settings));
      } else if (check.equals(ShortForms.CAPTION_FORM)) {
        results.put(ShortForms.CAPTION_FORM, ShortForms.captionForm(caption, task, settings));
      }
    }
    return results;
  }

  static Map<String, Check> run(String caption, List<String> checks, CheckSettings settings) {
    return run(caption, checks, settings, null);
  }

  static Check length(String caption, CheckSettings settings) {
    int chars = caption.codePointCount(0, caption.length());
    boolean pass = chars >= settings.captionMinChars() && chars <= settings.captionMaxChars();
    return new Check(
        pass,
        chars
            + " characters (bounds "
            + settings.captionMinChars()
            + ".."
            + settings.captionMaxChars()
            + ")");
  }

  /** Share of word 4-grams that repeat an earlier one; CJK text counts characters as words. */
  static Check repetition(String caption, CheckSettings settings) {
    List<String> words = words(caption);
    int grams = Math.max(0, words.size() - 3);
    Set<String> seen = new HashSet<>();
    int repeated = 0;
    for (int i = 0; i < grams; i++) {
      if (!seen.add(String.join(" ", words.subList(i, i + 4)))) {
        repeated++;
      }
    }
    double share = grams == 0 ? 0 : (double) repeated / grams;
    return new Check(
        share <= settings.maxRepetition(),
        String.format(
            Locale.ROOT,
            "%.0f%% of 4-grams repeat (limit %.0f%%)",
            share * 100,
            settings.maxRepetition() * 100));
  }

  private static List<String> words(String text) {
    List<String> words = new java.util.ArrayList<>();
    StringBuilder word = new StringBuilder();
    text.toLowerCase(Locale.ROOT)
        .codePoints()
        .forEach(
            cp -> {
              if (Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN) {
                flush(word, words);
                words.add(new String(Character.toChars(cp)));
              } else if (Character.isLetterOrDigit(cp)) {
                word.appendCodePoint(cp);
              } else {
                flush(word, words);
              }
            });
    flush(word, words);
    return words;
  }

  private static void flush(StringBuilder word, List<String> words) {
    if (!word.isEmpty()) {
      words.add(word.toString());
      word.setLength(0);
    }
  }
}
