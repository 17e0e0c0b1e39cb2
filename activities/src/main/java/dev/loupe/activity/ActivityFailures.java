package dev.loupe.activity;

import dev.loupe.contract.FailureType;
import dev.loupe.image.BadImageException;
import dev.loupe.provider.ProviderException;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.time.Duration;

/**
 * The one place where activity failures become {@link ApplicationFailure}s: the type is a {@link
 * FailureType}, retryability follows it, a provider's retry hint becomes the next retry delay, and
 * the attempt number travels in the details.
 */
final class ActivityFailures {
  /** Malformed output is retried this many times in all, then the item is rejected. */
  static final int MALFORMED_ATTEMPTS = 3;

  private ActivityFailures() {}

  static ApplicationFailure of(ProviderException failure) {
    return of(failure, attempt());
  }

  /** The failure of an attempt other than the running activity's (a batch line's call). */
  static ApplicationFailure of(ProviderException failure, int attempt) {
    boolean nonRetryable =
        !failure.type().retryable()
            || (failure.type() == FailureType.MALFORMED_OUTPUT && attempt >= MALFORMED_ATTEMPTS);
    ApplicationFailure.Builder builder =
        ApplicationFailure.newBuilder()
            .setType(failure.type().name())
            .setMessage(failure.getMessage())
            .setNonRetryable(nonRetryable)
            .setDetails(attempt);
    // Temporal ends the retries of a failure whose next retry delay is zero, so a hint of "now"
    // (retry-after-ms: 0) is left to the retry policy's back-off instead.
    failure
        .retryAfter()
        .filter(delay -> delay.compareTo(Duration.ZERO) > 0)
        .ifPresent(builder::setNextRetryDelay);
    return builder.build();
  }

  static ApplicationFailure of(BadImageException failure) {
    return ApplicationFailure.newBuilder()
        .setType(FailureType.BAD_IMAGE.name())
        .setMessage(failure.reason() + ": " + failure.getMessage())
        .setNonRetryable(true)
        .setDetails(attempt())
        .build();
  }

  /** Storage I/O failed: retryable, since storage trouble is usually brief. */
  static ApplicationFailure storage(String what, IOException failure) {
    return ApplicationFailure.newBuilder()
        .setType(FailureType.STORAGE.name())
        .setMessage(what + ": " + failure)
        .setNonRetryable(false)
        .setDetails(attempt())
        .build();
  }

  /** OCR failed on this worker (Tesseract missing or crashed): another attempt may succeed. */
  static ApplicationFailure ocr(String uri, IOException failure) {
    return ApplicationFailure.newBuilder()
        .setType(FailureType.OCR_FAILED.name())
        .setMessage("OCR of " + uri + ": " + failure.getMessage())
        .setNonRetryable(false)
        .setDetails(attempt())
        .build();
  }

  /** A failure that no retry can mend, whatever its type, e.g. the lines of a cancelled batch. */
  static ApplicationFailure finalFailure(FailureType type, String message, int attempt) {
    return ApplicationFailure.newBuilder()
        .setType(type.name())
        .setMessage(message)
        .setNonRetryable(true)
        .setDetails(attempt)
        .build();
  }

  /** The request or recipe is wrong; retrying cannot help. */
  static ApplicationFailure invalidRequest(String message) {
    return ApplicationFailure.newBuilder()
        .setType(FailureType.INVALID_REQUEST.name())
        .setMessage(message)
        .setNonRetryable(true)
        .build();
  }

  private static int attempt() {
    try {
      return Activity.getExecutionContext().getInfo().getAttempt();
    } catch (IllegalStateException notInActivity) {
      return 1;
    }
  }
}
