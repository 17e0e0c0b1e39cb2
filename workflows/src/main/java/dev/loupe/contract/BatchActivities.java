package dev.loupe.contract;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The provider batch API of one endpoint, served on the endpoint's {@link TaskQueues#api(String)}
 * queue, where its key lives. Each method is idempotent: {@code submit} of a sequence number
 * creates at most one provider batch, and {@code deliver} completes each line's waiting model call
 * at most once however often it runs.
 */
@ActivityInterface(namePrefix = "Batch")
public interface BatchActivities {

  /** Fails (not retryable) with the provider's message when the key may not use batches. */
  @ActivityMethod
  void probe(BatchRef request);

  /** How many lines wait in the spool and how large they are. */
  @ActivityMethod
  SpoolLook look(BatchRef request);

  /**
   * Seals up to the limits of waiting lines as batch {@code seq} (once per seq) and creates its
   * provider batch, or finds the one a crashed attempt created. No batch when no line waits.
   */
  @ActivityMethod
  Submission submit(SubmitRequest request);

  /** The provider batch's state. */
  @ActivityMethod
  BatchPoll poll(BatchRef request);

  /**
   * Completes each line's model call with its result, or fails it (retryable: a later batch) when
   * its line failed or expired; repeated and unknown lines are ignored.
   */
  @ActivityMethod
  LinesEnded deliver(BatchRef request);

  /**
   * Fails the model calls of batch {@code seq}'s lines, or of every waiting line when {@code seq}
   * is negative, with {@code message}.
   */
  @ActivityMethod
  LinesEnded failLines(FailLinesRequest request);

  /**
   * Heartbeats every waiting call (lines in the spool and in open batches) by its task token, so
   * that a call whose activity task was lost before it wrote its line (a poll answer lost under
   * load) times out and is retried within the batch lines' heartbeat timeout, not after 26 hours.
   * Returns how many calls it reached.
   */
  @ActivityMethod
  int keepAlive(KeepAliveRequest request);

  /** Asks the provider to cancel the batch; its finished lines are still delivered. */
  @ActivityMethod
  void cancel(BatchRef request);
}
