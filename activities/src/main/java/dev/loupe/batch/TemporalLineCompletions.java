package dev.loupe.batch;

import io.temporal.client.ActivityCompletionClient;
import io.temporal.client.ActivityNotExistsException;
import io.temporal.failure.ApplicationFailure;

/** {@link LineCompletions} through Temporal's asynchronous activity completion. */
public final class TemporalLineCompletions implements LineCompletions {
  private final ActivityCompletionClient client;

  public TemporalLineCompletions(ActivityCompletionClient client) {
    this.client = client;
  }

  /** For processes without a Temporal connection, which never deliver batches. */
  public static LineCompletions unconnected() {
    return new LineCompletions() {
      @Override
      public boolean complete(byte[] taskToken, Object result) {
        throw new IllegalStateException("this process has no Temporal connection");
      }

      @Override
      public boolean fail(byte[] taskToken, ApplicationFailure failure) {
        throw new IllegalStateException("this process has no Temporal connection");
      }

      @Override
      public boolean heartbeat(byte[] taskToken) {
        throw new IllegalStateException("this process has no Temporal connection");
      }
    };
  }

  @Override
  public boolean complete(byte[] taskToken, Object result) {
    try {
      client.complete(taskToken, result);
      return true;
    } catch (ActivityNotExistsException ended) {
      return false;
    }
  }

  @Override
  public boolean fail(byte[] taskToken, ApplicationFailure failure) {
    try {
      client.completeExceptionally(taskToken, failure);
      return true;
    } catch (ActivityNotExistsException ended) {
      return false;
    }
  }

  @Override
  public boolean heartbeat(byte[] taskToken) {
    try {
      client.heartbeat(taskToken, null);
      return true;
    } catch (ActivityNotExistsException | io.temporal.client.ActivityCanceledException ended) {
      return false;
    }
  }
}
