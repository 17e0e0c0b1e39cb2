package dev.loupe.captioner;

import dev.loupe.activity.HostedModel;
import dev.loupe.config.CaptionerSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts the captioner pool's model server and keeps the pool's polling in step with it: polling is
 * suspended until the server answers its health check, suspended again when it stops answering or
 * exits, and resumed when it answers again. A server started from {@code modelCommand} that exits,
 * never comes up within {@code startupSeconds}, or stops answering for {@link
 * Timing#hungRestartAfter} is restarted with exponential back-off; one it merely attached to is
 * only watched.
 *
 * <p>Metrics: {@code loupe_model_server_up} (1 while polling), {@code
 * loupe_model_server_restarts_total}, and {@code loupe_model_server_downtime_seconds} (from the
 * moment a running server was found down to the moment polling resumed).
 */
public final class ModelServerSupervisor implements HostedModel, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelServerSupervisor.class);

  /**
   * How the supervisor checks and restarts.
   *
   * @param checkEvery time between health checks (a process exit is noticed at once)
   * @param failuresBeforeDown failed checks in a row before a running server counts as down
   * @param hungRestartAfter a started server that stays down this long while alive is restarted
   * @param firstBackoff delay before the first restart after a crash
   * @param maxBackoff the back-off doubles up to this
   * @param stableAfter a server up this long before it crashed restarts after {@code firstBackoff}
   */
  public record Timing(
      Duration checkEvery,
      int failuresBeforeDown,
      Duration hungRestartAfter,
      Duration firstBackoff,
      Duration maxBackoff,
      Duration stableAfter) {
    public static final Timing DEFAULT =
        new Timing(
            Duration.ofSeconds(1),
            3,
            Duration.ofSeconds(60),
            Duration.ofSeconds(1),
            Duration.ofMinutes(1),
            Duration.ofMinutes(2));
  }

  private final CaptionerSettings settings;
  private final ModelServerProbe probe;
  private final Timing timing;
  private final Counter restarts;
  private final Timer downtime;
  private final AtomicInteger upGauge = new AtomicInteger();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final BlockingQueue<Object> wakeups = new LinkedBlockingQueue<>();

  private boolean up;
  private volatile String modelName;
  private volatile boolean closing;
  private volatile ModelServerProcess process;
  private Thread watcher;

  public ModelServerSupervisor(
      CaptionerSettings settings, OkHttpClient http, MeterRegistry registry, Timing timing) {
    this.settings = settings;
    this.probe = new ModelServerProbe(http, settings.modelUrl(), settings.healthPath());
    this.timing = timing;
    this.modelName = settings.model();
    this.restarts =
        Counter.builder("loupe.model.server.restarts")
            .description("restarts of the hosted model server")
            .register(registry);
    this.downtime =
        Timer.builder("loupe.model.server.downtime")
            .description("from finding the model server down to polling again")
            .register(registry);
    Gauge.builder("loupe.model.server.up", upGauge, AtomicInteger::get)
        .description("1 while the model server answers and the captioner pool polls")
        .register(registry);
  }

  /**
   * Suspends {@code polling}, starts the server (when there is a command) and watches it until
   * {@link #close}. Call after the worker factory started: suspending a worker that has not started
   * has no effect.
   */
  public synchronized void start(PollingSwitch polling) {
    if (watcher != null) {
      throw new IllegalStateException("the model server supervisor is already started");
    }
    polling.suspend();
    watcher = Thread.ofPlatform().daemon().name("loupe-model-server").start(() -> watch(polling));
  }

  @Override
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (!up) {
        if (nanos <= 0) {
          return false;
        }
        nanos = changed.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String name() {
    return modelName;
  }

  @Override
  public String url() {
    return settings.modelUrl();
  }

  /** Whether the server answers now (and the pool polls). */
  public boolean isUp() {
    lock.lock();
    try {
      return up;
    } finally {
      lock.unlock();
    }
  }

  /** The process ID of the server this worker started, or -1 when it attached to one. */
  public long serverPid() {
    ModelServerProcess current = process;
    return current == null ? -1 : current.pid();
  }

  private void watch(PollingSwitch polling) {
    boolean hosting = settings.modelCommand() != null;
    if (hosting && !launch()) {
      return;
    }
    if (!hosting) {
      log.info("attaching to the model server at {}", settings.modelUrl());
    }
    Duration backoff = timing.firstBackoff();
    long launchedAt = System.nanoTime();
    long downSince = launchedAt;
    long upSince = 0;
    boolean everUp = false;
    int failures = 0;
    while (!closing) {
      pause(timing.checkEvery());
      if (closing) {
        break;
      }
      ModelServerProcess current = process;
      if (hosting && !current.isAlive()) {
        long now = System.nanoTime();
        if (isUp()) {
          markDown(polling, "exited with code " + current.exitValue());
          downSince = now;
        } else {
          log.warn("model server exited with code {} before it answered", current.exitValue());
        }
        if (upSince != 0 && now - upSince >= timing.stableAfter().toNanos()) {
          backoff = timing.firstBackoff();
        }
        log.warn("restarting the model server in {} ms", backoff.toMillis());
        pauseFully(backoff);
        if (closing) {
          break;
        }
        if (!launch()) {
          return;
        }
        restarts.increment();
        backoff = min(backoff.multipliedBy(2), timing.maxBackoff());
        launchedAt = System.nanoTime();
        upSince = 0;
        failures = 0;
        continue;
      }
      ModelServerProbe.Health health = probe.check();
      long now = System.nanoTime();
      if (health.up()) {
        failures = 0;
        if (!isUp() && knowsModelName()) {
          markUp(polling);
          if (everUp) {
            downtime.record(now - downSince, TimeUnit.NANOSECONDS);
          }
          log.info(
              "model server answers at {} (model {}); polling{}",
              probe.healthUrl(),
              modelName,
              everUp ? " again after " + (now - downSince) / 1_000_000 + " ms" : "");
          everUp = true;
          upSince = now;
        }
        continue;
      }
      failures++;
      if (isUp() && failures >= timing.failuresBeforeDown()) {
        markDown(polling, health.detail());
        downSince = now;
      }
      if (hosting && !isUp()) {
        boolean starting = upSince == 0;
        long limit =
            starting
                ? Duration.ofSeconds(settings.startupSeconds()).toNanos()
                : timing.hungRestartAfter().toNanos();
        if (now - (starting ? launchedAt : downSince) > limit) {
          log.warn(
              "model server {} for {} s ({}); stopping it to restart",
              starting ? "did not answer" : "stopped answering",
              limit / 1_000_000_000,
              health.detail());
          current.stop();
        }
      }
    }
  }

  /** Starts the server; false when no process can be started at all (no /bin/sh). */
  private boolean launch() {
    try {
      ModelServerProcess started = ModelServerProcess.start(settings.modelCommand());
      started.onExit().thenRun(() -> wakeups.offer(Boolean.TRUE));
      process = started;
      // Only the executable: the rest of the command line may carry a key (vLLM's --api-key).
      log.info(
          "started the model server (pid {}): {} …",
          started.pid(),
          settings.modelCommand().strip().split("\\s+")[0]);
      return true;
    } catch (IOException e) {
      log.error("cannot start the model server, the captioner pool stays suspended", e);
      return false;
    }
  }

  private boolean knowsModelName() {
    if (modelName != null) {
      return true;
    }
    modelName = probe.firstModel().orElse(null);
    if (modelName == null) {
      log.warn(
          "the model server at {} lists no model; set captioner.model to the served name",
          settings.modelUrl());
    }
    return modelName != null;
  }

  private void markUp(PollingSwitch polling) {
    setUp(true);
    polling.resume();
  }

  private void markDown(PollingSwitch polling, String why) {
    polling.suspend();
    setUp(false);
    log.warn("model server at {} is down ({}); polling suspended", settings.modelUrl(), why);
  }

  private void setUp(boolean value) {
    lock.lock();
    try {
      up = value;
      upGauge.set(value ? 1 : 0);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits for the next check, or less when the server exits or the supervisor closes. */
  private void pause(Duration duration) {
    try {
      wakeups.poll(duration.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      closing = true;
      Thread.currentThread().interrupt();
    }
  }

  /** Waits the whole duration unless the supervisor closes. */
  private void pauseFully(Duration duration) {
    long deadline = System.nanoTime() + duration.toNanos();
    long remaining;
    while (!closing && (remaining = deadline - System.nanoTime()) > 0) {
      pause(Duration.ofNanos(remaining));
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Stops watching and stops the server this worker started. */
  @Override
  public void close() {
    closing = true;
    wakeups.offer(Boolean.TRUE);
    Thread current;
    synchronized (this) {
      current = watcher;
    }
    if (current != null) {
      try {
        current.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    setUp(false);
    ModelServerProcess server = process;
    if (server != null) {
      server.stop();
      log.info("stopped the model server (pid {})", server.pid());
    }
  }
}
