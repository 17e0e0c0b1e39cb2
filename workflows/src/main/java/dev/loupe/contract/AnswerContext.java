package dev.loupe.contract;

/** What an answer call sees besides the question. */
public enum AnswerContext {
  /** The image, its caption and its OCR text: the primary answer. */
  FULL,
  /** The image alone: multi-context consistency. */
  IMAGE_ONLY,
  /** The image and its OCR text, no caption: multi-context consistency for text-rich images. */
  OCR_ONLY,
  /** Neither image nor context: POINTS1.5's answerable-without-the-image check. */
  BLIND
}
