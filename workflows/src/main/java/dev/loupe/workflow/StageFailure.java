package dev.loupe.workflow;

import dev.loupe.contract.FailureType;
import dev.loupe.contract.ImageStatus;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;

/**
 * A stage's final failure, after Temporal's retries, read back from the failure chain: how the
 * image ends, the reason recorded, a readable detail and how many attempts were made.
 */
record StageFailure(ImageStatus status, String reason, String detail, int attempts) {

  static StageFailure of(String stage, TemporalFailure failure) {
    Throwable cause = failure instanceof ActivityFailure ? failure.getCause() : failure;
    if (cause instanceof ApplicationFailure application) {
      int attempts = attemptsOf(application);
      return FailureType.fromName(application.getType())
          .map(
              type ->
                  new StageFailure(
                      type.outcome() == FailureType.Outcome.REJECTED
                          ? ImageStatus.REJECTED
                          : ImageStatus.FAILED,
                      type.reason(),
                      stage + ": " + application.getOriginalMessage(),
                      attempts))
          .orElseGet(
              () ->
                  new StageFailure(
                      ImageStatus.FAILED,
                      "error",
                      stage
                          + ": "
                          + application.getType()
                          + ": "
                          + application.getOriginalMessage(),
                      attempts));
    }
    if (cause instanceof TimeoutFailure timeout) {
      return new StageFailure(
          ImageStatus.FAILED,
          "timeout",
          stage + ": " + timeout.getTimeoutType() + " timeout: " + timeout.getOriginalMessage(),
          0);
    }
    String message = cause == null ? failure.getMessage() : cause.getMessage();
    return new StageFailure(ImageStatus.FAILED, "error", stage + ": " + message, 0);
  }

  /** Activities put their attempt number in the failure's details; 0 when absent. */
  private static int attemptsOf(ApplicationFailure failure) {
    try {
      if (failure.getDetails() != null && failure.getDetails().getSize() > 0) {
        Integer attempt = failure.getDetails().get(0, Integer.class, Integer.class);
        return attempt == null ? 0 : attempt;
      }
    } catch (RuntimeException unreadable) {
      // Details written by another kind of worker; the count is informative only.
    }
    return 0;
  }
}
