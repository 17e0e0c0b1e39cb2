package dev.loupe.worker;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Heartbeats for activities that do not heartbeat themselves (the CPU pool's probe, persist, plan,
 * list, OCR), sent from a timer beside them while they run: the activities stay plain, and a worker
 * that dies (kill -9, a lost host) stops heartbeating, so its tasks are retried elsewhere within
 * the heartbeat timeout instead of their whole start-to-close timeout. Activities shorter than
 * {@code every} send no heartbeat.
 */
final class LivenessHeartbeats {
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "loupe-liveness-heartbeats");
            thread.setDaemon(true);
            return thread;
          });

  private LivenessHeartbeats() {}

  /** {@code activities}, registered in its place, heartbeating every {@code every}. */
  static <T> T around(Class<T> activityInterface, T activities, Duration every) {
    InvocationHandler handler = new Beating(activities, every);
    return activityInterface.cast(
        Proxy.newProxyInstance(
            activityInterface.getClassLoader(), new Class<?>[] {activityInterface}, handler));
  }

  private record Beating(Object target, Duration every) implements InvocationHandler {
    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        return method.invoke(target, args);
      }
      ActivityExecutionContext context = Activity.getExecutionContext();
      ScheduledFuture<?> beats =
          TIMER.scheduleAtFixedRate(
              () -> beat(context), every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      } finally {
        beats.cancel(false);
      }
    }

    private static void beat(ActivityExecutionContext context) {
      try {
        context.heartbeat(null);
      } catch (ActivityCompletionException cancelledOrStopping) {
        // The activity is short and not cancellable; it finds out when it returns.
      } catch (RuntimeException unreachable) {
        // The server did not answer (it is overloaded or restarting): the next beat tries again.
        // Thrown out of a periodic task, it would end this activity's beats for good.
      }
    }
  }
}
