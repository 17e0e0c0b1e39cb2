package dev.loupe.contract;

import java.util.Set;

/**
 * The short-form tasks of InstructBLIP that a stage's {@code task} may name. A stage without one
 * writes long-form output (detailed captions, detailed answers). Samples of a short-form task are
 * marked with its name in the training files, so that a mix can balance them (see {@code loupe
 * mix}).
 */
public final class ShortTask {
  /** A caption of one sentence (describe). */
  public static final String BRIEF_CAPTION = "brief_caption";

  /** A question answered with a word or a phrase (ask and answer). */
  public static final String SHORT_ANSWER = "short_answer";

  /** A question with lettered options, answered with one of them (ask and answer). */
  public static final String MULTIPLE_CHOICE = "multiple_choice";

  /** The tasks of a describe stage. */
  public static final Set<String> CAPTION_TASKS = Set.of(BRIEF_CAPTION);

  /** The tasks of ask and answer stages. */
  public static final Set<String> QUESTION_TASKS = Set.of(SHORT_ANSWER, MULTIPLE_CHOICE);

  /** Every short-form task. */
  public static final Set<String> ALL = Set.of(BRIEF_CAPTION, SHORT_ANSWER, MULTIPLE_CHOICE);

  private ShortTask() {}
}
