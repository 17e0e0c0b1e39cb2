package dev.loupe.workflow;

import dev.loupe.contract.Check;
import dev.loupe.contract.Question;
import dev.loupe.contract.RunPlan.CheckSettings;
import dev.loupe.contract.ShortTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * InstructBLIP's short-form tasks in the image workflow: questions typed with the ask stage's task
 * (a multiple-choice question's options written under it, lettered), and the checks that hold a
 * short-form output to its form ({@code caption_form}, {@code answer_form}). Pure functions: the
 * workflow stays deterministic.
 */
final class ShortForms {
  static final String CAPTION_FORM = "caption_form";
  static final String ANSWER_FORM = "answer_form";

  private ShortForms() {}

  /**
   * The questions as the task asks them: typed with the task, a multiple-choice question's text
   * followed by its lettered options. Without a task the questions are returned as they are.
   */
  static List<Question> typed(List<Question> questions, String task) {
    if (task == null) {
      return questions;
    }
    List<Question> typed = new ArrayList<>();
    for (Question question : questions) {
      if (ShortTask.MULTIPLE_CHOICE.equals(task)) {
        typed.add(new Question(withOptions(question), task, question.options()));
      } else {
        typed.add(new Question(question.text(), task));
      }
    }
    return typed;
  }

  /** {@code question\nA. first\nB. second…}: the form the answer prompt and the sample show. */
  static String withOptions(Question question) {
    StringBuilder text = new StringBuilder(question.text().strip());
    List<String> options = question.optionsOrEmpty();
    for (int i = 0; i < options.size(); i++) {
      text.append('\n').append(letter(i)).append(". ").append(options.get(i).strip());
    }
    return text.toString();
  }

  /** {@code caption_form}: a brief caption has at most {@code briefCaptionMaxWords} words. */
  static Check captionForm(String caption, String task, CheckSettings settings) {
    if (!ShortTask.BRIEF_CAPTION.equals(task)) {
      return new Check(true, "detailed caption: no short form to enforce");
    }
    double words = words(caption);
    int limit = settings.briefCaptionMaxWords();
    return new Check(
        words <= limit,
        String.format(Locale.ROOT, "%s words (brief caption: at most %d)", format(words), limit),
        words,
        (double) limit);
  }

  /**
   * {@code answer_form}: a short answer has at most {@code shortAnswerMaxWords} words; a
   * multiple-choice answer names exactly one of the options (its letter, its letter and text, or
   * its text). Long-form answers pass.
   */
  static Check answerForm(Question question, String answer, CheckSettings settings) {
    String type = question.type();
    if (ShortTask.SHORT_ANSWER.equals(type)) {
      double words = words(answer);
      int limit = settings.shortAnswerMaxWords();
      return new Check(
          words >= 0.5 && words <= limit,
          String.format(Locale.ROOT, "%s words (short answer: 1 to %d)", format(words), limit),
          words,
          (double) limit);
    }
    if (ShortTask.MULTIPLE_CHOICE.equals(type)) {
      List<String> options = question.optionsOrEmpty();
      if (options.size() < 2) {
        return new Check(false, "the question has " + options.size() + " options, not 2 or more");
      }
      int chosen = choice(answer, options);
      if (chosen < 0) {
        return new Check(
            false,
            "the answer names none of the options A–"
                + letter(options.size() - 1)
                + ", or more than one");
      }
      return new Check(true, "option " + letter(chosen) + ": " + options.get(chosen).strip());
    }
    return new Check(true, "long-form answer: no short form to enforce");
  }

  /**
   * The option an answer names, or -1: a letter alone ({@code B}, {@code (B)}, {@code B.}), a
   * letter followed by its option's text ({@code B. red}), or an option's text alone, ignoring
   * case, outer punctuation and spaces.
   */
  static int choice(String answer, List<String> options) {
    String text = answer.strip();
    if (text.length() >= 1) {
      String head = text.replaceFirst("^[(\\[]?([A-Za-z])[)\\].:：、]?(\\s+|$)", "$1\u0000");
      int mark = head.indexOf('\u0000');
      if (mark == 1) {
        int index = Character.toUpperCase(head.charAt(0)) - 'A';
        String rest = normalized(head.substring(2));
        if (index >= 0
            && index < options.size()
            && (rest.isEmpty() || rest.equals(normalized(options.get(index))))) {
          return index;
        }
      }
    }
    String normal = normalized(text);
    int found = -1;
    for (int i = 0; i < options.size(); i++) {
      if (normalized(options.get(i)).equals(normal)) {
        if (found >= 0) {
          return -1;
        }
        found = i;
      }
    }
    return found;
  }

  /**
   * Words of a text: runs of letters or digits count one each; a Han, Hiragana, Katakana or Hangul
   * character counts half a word, since a Chinese word is one to three characters, two on average.
   */
  static double words(String text) {
    double words = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (isCjk(cp)) {
        words += 0.5;
        inWord = false;
      } else if (Character.isLetterOrDigit(cp) || (inWord && (cp == '\'' || cp == '-'))) {
        if (!inWord) {
          words += 1;
          inWord = true;
        }
      } else {
        inWord = false;
      }
    }
    return words;
  }

  private static boolean isCjk(int cp) {
    Character.UnicodeScript script = Character.UnicodeScript.of(cp);
    return script == Character.UnicodeScript.HAN
        || script == Character.UnicodeScript.HIRAGANA
        || script == Character.UnicodeScript.KATAKANA
        || script == Character.UnicodeScript.HANGUL;
  }

  private static String normalized(String text) {
    return text.strip()
        .replaceAll("^[\\p{Punct}\\s。，、：；！？「」（）]+|[\\p{Punct}\\s。，、：；！？「」（）]+$", "")
        .replaceAll("\\s+", " ")
        .toLowerCase(Locale.ROOT);
  }

  static char letter(int index) {
    return (char) ('A' + index);
  }

  private static String format(double words) {
    return words == Math.rint(words)
        ? Long.toString((long) words)
        : String.format(Locale.ROOT, "%.1f", words);
  }
}
