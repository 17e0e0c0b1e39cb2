package dev.loupe.activity;

import dev.loupe.contract.FailureType;
import dev.loupe.image.BadImageException;
import dev.loupe.provider.ProviderException;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import io.temporal.client.ActivityWorkerShutdownException;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a model call on its own virtual thread while the activity heartbeats every {@code every}, so
 * that a call that takes long never looks like a dead worker, while a worker that dies (kill -9, a
 * lost host) stops heartbeating and its calls are retried elsewhere within the activity's heartbeat
 * timeout instead of its whole start-to-close timeout. Calls shorter than {@code every} send no
 * heartbeat at all.
 */
final class HeartbeatingCall {
  /** A model call; may throw what the stage throws. */
  @FunctionalInterface
  interface Body<T> extends Callable<T> {
    @Override
    T call() throws ProviderException, BadImageException, IOException;
  }

  private final ExecutorService calls;
  private final Duration every;

  HeartbeatingCall(ExecutorService calls, Duration every) {
    this.calls = calls;
    this.every = every;
  }

  /**
   * Runs {@code body}, heartbeating on {@code context}; failures are converted to {@link
   * ApplicationFailure}s once, here.
   */
  <T> T run(ActivityExecutionContext context, Body<T> body) {
    Future<T> call = calls.submit(body);
    try {
      while (true) {
        try {
          return call.get(every.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException waiting) {
          heartbeat(context, call);
        }
      }
    } catch (InterruptedException e) {
      // The worker is stopping past its drain time (shutdownNow). The interrupt is consumed on
      // purpose: the SDK must still be able to report the hand-back to the server.
      call.cancel(true);
      throw handedBack("the worker stopped before the call finished");
    } catch (RuntimeException e) {
      call.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      throw classify(e.getCause());
    }
  }

  /** Heartbeats; on worker shutdown hands the call back, on cancellation stops it. */
  static void heartbeat(ActivityExecutionContext context, Future<?> call) {
    try {
      context.heartbeat(null);
    } catch (ActivityWorkerShutdownException stopping) {
      cancel(call);
      throw handedBack("the worker is shutting down");
    } catch (ActivityCompletionException cancelledOrGone) {
      cancel(call);
      throw cancelledOrGone;
    }
  }

  /**
   * A retryable {@link FailureType#TRANSPORT} failure, so Temporal retries the task at once on
   * whichever worker polls next instead of after a timeout.
   */
  static ApplicationFailure handedBack(String why) {
    return ActivityFailures.of(
        new ProviderException(FailureType.TRANSPORT, "handed back to the queue: " + why));
  }

  static RuntimeException classify(Throwable cause) {
    if (cause instanceof ProviderException e) {
      return ActivityFailures.of(e);
    }
    if (cause instanceof BadImageException e) {
      return ActivityFailures.of(e);
    }
    if (cause instanceof IOException e) {
      return ActivityFailures.storage("reading the image", e);
    }
    if (cause instanceof RuntimeException e) {
      return e;
    }
    if (cause instanceof Error e) {
      throw e;
    }
    return new IllegalStateException("the model call failed", cause);
  }

  private static void cancel(Future<?> call) {
    if (call != null) {
      call.cancel(true);
    }
  }
}
