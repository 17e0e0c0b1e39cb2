package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A provider batch's state.
 *
 * @param state where it is
 * @param message the provider's words when it refused or rejected the batch
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchPoll(State state, String message) {

  public enum State {
    /** Validating, queued or running: poll again. */
    RUNNING,
    /** Completed, expired or cancelled: its results (complete or not) can be delivered. */
    ENDED,
    /** Refused for quota (too many enqueued tokens): submit the same lines again later. */
    QUOTA_REFUSED,
    /** Rejected as invalid: its lines fail with the provider's message. */
    REJECTED
  }
}
