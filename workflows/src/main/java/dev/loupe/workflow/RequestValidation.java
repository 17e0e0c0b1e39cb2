package dev.loupe.workflow;

import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.ExportFormats;
import dev.loupe.contract.FailureType;
import dev.loupe.contract.Lane;
import io.temporal.failure.ApplicationFailure;

/**
 * Checks a {@link DatasetRequest}'s fields that need no I/O, so a malformed request fails the
 * workflow at once with a message naming the field. Whether the source is readable and the recipe
 * exists is checked by the plan activity.
 */
final class RequestValidation {
  private RequestValidation() {}

  static void check(DatasetRequest request) {
    if (request == null) {
      throw invalid("the request is empty: give at least {\"source\": …, \"output\": …}");
    }
    requireLocation("source", request.source());
    requireLocation("output", request.output());
    if (request.limit() != null && request.limit() < 1) {
      throw invalid("limit must be at least 1, got " + request.limit());
    }
    if (request.window() != null
        && (request.window() < 1 || request.window() > DatasetRequest.MAX_WINDOW)) {
      throw invalid(
          "window must be within 1.." + DatasetRequest.MAX_WINDOW + ", got " + request.window());
    }
    if (request.weight() != null
        && !(request.weight() >= DatasetRequest.MIN_WEIGHT
            && request.weight() <= DatasetRequest.MAX_WEIGHT)) {
      throw invalid(
          "weight must be within "
              + DatasetRequest.MIN_WEIGHT
              + ".."
              + (int) DatasetRequest.MAX_WEIGHT
              + ", got "
              + request.weight());
    }
    if (request.budgetUsd() != null && !(request.budgetUsd() > 0)) {
      throw invalid("budgetUsd must be positive, got " + request.budgetUsd());
    }
    if (request.failedWaitHours() != null
        && !(request.failedWaitHours() >= 0
            && request.failedWaitHours() <= DatasetRequest.MAX_FAILED_WAIT_HOURS)) {
      throw invalid(
          "failedWaitHours must be within 0.."
              + (int) DatasetRequest.MAX_FAILED_WAIT_HOURS
              + " (0: do not wait for retryFailed), got "
              + request.failedWaitHours());
    }
    if (request.conversation() != null
        && !request.conversation().equals(DatasetRequest.MULTI_TURN)
        && !request.conversation().equals(DatasetRequest.SEPARATE)) {
      throw invalid(
          "conversation must be \""
              + DatasetRequest.MULTI_TURN
              + "\" or \""
              + DatasetRequest.SEPARATE
              + "\", got \""
              + request.conversation()
              + "\"");
    }
    if (request.cache() != null && request.cache().isBlank()) {
      throw invalid(
          "cache must be a directory, an s3:// prefix or \""
              + DatasetRequest.NO_CACHE
              + "\", got an empty string");
    }
    if (request.lane() != null) {
      try {
        Lane.fromName(request.lane());
      } catch (IllegalArgumentException e) {
        throw invalid(e.getMessage());
      }
    }
    checkFormats(request);
  }

  private static void checkFormats(DatasetRequest request) {
    ExportFormats.problem(request.formats())
        .ifPresent(
            problem -> {
              throw invalid("formats: " + problem);
            });
    if (request.shards() != null) {
      request
          .shards()
          .problem()
          .ifPresent(
              problem -> {
                throw invalid(problem);
              });
    }
  }

  /**
   * Refuses {@code carry} in a request that did not come from the workflow's own continue-as-new:
   * it holds a resolved plan and listed items, so a caller could skip the recipe and the checks
   * through it.
   *
   * @param continued whether this run is a continue-as-new of an earlier one
   */
  static void checkCarry(DatasetRequest request, boolean continued) {
    if (request.carry() != null && !continued) {
      throw invalid(
          "carry is internal state that a dataset run passes to itself when it continues as new;"
              + " leave it out of a request");
    }
  }

  private static void requireLocation(String field, String value) {
    if (value == null || value.isBlank()) {
      throw invalid(field + " is required (an s3:// prefix, a file:// directory or a path)");
    }
  }

  static ApplicationFailure invalid(String message) {
    return ApplicationFailure.newNonRetryableFailure(
        "invalid DatasetRequest: " + message, FailureType.INVALID_REQUEST.name());
  }
}
