package dev.loupe.batch;

import io.temporal.failure.ApplicationFailure;

/**
 * Completes the model call that waits for a batch line, by its task token. A token whose attempt
 * already ended (completed earlier, timed out, or its workflow gone) is ignored, which is what
 * makes a repeated delivery deliver nothing twice.
 */
public interface LineCompletions {

  /** Completes with {@code result}; false when the attempt had already ended. */
  boolean complete(byte[] taskToken, Object result);

  /** Fails with {@code failure}; false when the attempt had already ended. */
  boolean fail(byte[] taskToken, ApplicationFailure failure);

  /** Heartbeats the waiting attempt; false when it had already ended. */
  boolean heartbeat(byte[] taskToken);
}
