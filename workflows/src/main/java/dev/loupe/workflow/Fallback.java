package dev.loupe.workflow;

import dev.loupe.contract.FailureType;
import dev.loupe.contract.RunPlan.StagePlan;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;

/**
 * Calls a stage on its endpoints in order: when one is down (its retries ran out on failures that
 * say the endpoint, not the request, is at fault), the item moves to the next.
 */
final class Fallback {
  /** Failures that mean "this endpoint is down", worth another endpoint. */
  private static final Set<FailureType> ENDPOINT_DOWN =
      EnumSet.of(
          FailureType.TRANSPORT,
          FailureType.SERVER_ERROR,
          FailureType.RATE_LIMITED,
          FailureType.QUOTA_EXHAUSTED,
          FailureType.AUTHENTICATION);

  private Fallback() {}

  static <T> T call(StagePlan stage, Function<String, T> call) {
    TemporalFailure last = null;
    for (String endpoint : stage.endpoints()) {
      try {
        return call.apply(endpoint);
      } catch (TemporalFailure failure) {
        if (!endpointDown(failure)) {
          throw failure;
        }
        last = failure;
      }
    }
    throw last;
  }

  static boolean endpointDown(TemporalFailure failure) {
    Throwable cause = failure instanceof ActivityFailure ? failure.getCause() : failure;
    if (cause instanceof TimeoutFailure) {
      return true;
    }
    return cause instanceof ApplicationFailure application
        && FailureType.fromName(application.getType()).map(ENDPOINT_DOWN::contains).orElse(false);
  }
}
