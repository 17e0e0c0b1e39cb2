package dev.loupe.contract;

/** How an image ended. Every image ends as exactly one of these. */
public enum ImageStatus {
  /** At least one QA pair passed every enabled check. */
  ACCEPTED,
  /** A check or the image itself ruled it out; the reason names the check. */
  REJECTED,
  /** Processing failed after retries; {@code retryFailed} runs it again. */
  FAILED
}
