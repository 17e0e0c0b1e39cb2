package dev.loupe.captioner;

import dev.loupe.activity.HostedModel;
import dev.loupe.config.CaptionerSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts the captioner pool's model server and keeps the pool's polling in step with it: polling is
 * suspended until the server answers its health check and {@code <modelUrl>/models} lists the
 * model, suspended again when it stops answering or exits, and resumed when it answers again.
 *
 * <p>A server started from {@code modelCommand} runs in a process group of its own, and the whole
 * group is stopped whenever the server exits, hangs or the worker stops, so that no engine process
 * outlives it. The first start must succeed: a taken port, a command that cannot run or a server
 * that exits before it answered fails {@link #firstStart} with the server's last lines, and the
 * pool never polls. After that, a server that exits, never comes up within {@code startupSeconds},
 * or stops answering for {@link Timing#hungRestartAfter} is restarted with exponential back-off,
 * for as long as the worker runs, whether or not the command can run. One it merely attached to is
 * only watched.
 *
 * <p>Metrics: {@code loupe_model_server_up} (1 while polling), {@code
 * loupe_model_server_restarts_total}, {@code loupe_model_server_failed_starts_total} (the command
 * could not run, or the server exited before it answered), {@code
 * loupe_model_server_next_restart_seconds} (the back-off being waited, 0 otherwise) and {@code
 * loupe_model_server_downtime_seconds} (from the moment a running server was found down to the
 * moment polling resumed).
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

  private final Launcher launcher;
  private final Counter failedStarts;
  private final AtomicLong nextRestartMillis = new AtomicLong();
  private final CompletableFuture<Void> firstStart = new CompletableFuture<>();

  private boolean up;
  private volatile String modelName;
  private volatile boolean closing;
  private volatile ModelServerProcess process;
  private Thread watcher;

  /** Starts a model server from a command line; a seam for tests of commands that cannot run. */
  @FunctionalInterface
  interface Launcher {
    ModelServerProcess start(String commandLine) throws IOException;
  }

  public ModelServerSupervisor(
      CaptionerSettings settings, OkHttpClient http, MeterRegistry registry, Timing timing) {
    this(settings, http, registry, timing, ModelServerProcess::start);
  }

  ModelServerSupervisor(
      CaptionerSettings settings,
      OkHttpClient http,
      MeterRegistry registry,
      Timing timing,
      Launcher launcher) {
    this.settings = settings;
    this.launcher = launcher;
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
    this.failedStarts =
        Counter.builder("loupe.model.server.failed.starts")
            .description(
                "starts of the hosted model server that failed: the command could not run, or"
                    + " the server exited before it answered")
            .register(registry);
    Gauge.builder(
            "loupe.model.server.next.restart", nextRestartMillis, millis -> millis.get() / 1000.0)
        .description("while the model server is down: seconds of back-off before the next start")
        .baseUnit("seconds")
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

  /**
   * Completes when the server first answers; fails with {@link ModelServerStartException} when the
   * first start fails (the command cannot run, the port is taken, or the server exits before it
   * answers), and the pool then never polls.
   */
  public CompletableFuture<Void> firstStart() {
    return firstStart.copy();
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
    if (hosting) {
      String taken = portTaken();
      if (taken != null) {
        failStart(taken, List.of());
        return;
      }
      try {
        launch();
      } catch (IOException e) {
        failStart("cannot run the model command: " + e.getMessage(), List.of());
        return;
      }
    } else {
      log.info("attaching to the model server at {}", settings.modelUrl());
    }
    Duration backoff = timing.firstBackoff();
    long launchedAt = System.nanoTime();
    long downSince = launchedAt;
    long upSince = 0;
    boolean everUp = false;
    boolean stoppedByUs = false;
    int failures = 0;
    while (!closing) {
      pause(timing.checkEvery());
      if (closing) {
        break;
      }
      ModelServerProcess current = process;
      if (hosting && !current.isAlive()) {
        long now = System.nanoTime();
        int code = current.exitValue();
        int left = current.stop();
        String leftover = left == 0 ? "" : "; stopped " + left + " process(es) it left running";
        if (isUp()) {
          markDown(polling, "exited with code " + code + leftover);
          downSince = now;
        } else if (!everUp && !stoppedByUs && restarts.count() == 0) {
          failStart(
              "the model server exited with code " + code + " before it answered" + leftover,
              current.lastLines());
          return;
        } else if (!stoppedByUs) {
          failedStarts.increment();
          log.warn(
              "model server exited with code {} before it answered{}; its last lines:\n{}",
              code,
              leftover,
              String.join("\n", current.lastLines()));
        }
        stoppedByUs = false;
        if (upSince != 0 && now - upSince >= timing.stableAfter().toNanos()) {
          backoff = timing.firstBackoff();
        }
        backoff = relaunch(backoff);
        if (closing) {
          break;
        }
        launchedAt = System.nanoTime();
        upSince = 0;
        failures = 0;
        continue;
      }
      ModelServerProbe.Health health = probe.check();
      long now = System.nanoTime();
      if (health.up()) {
        failures = 0;
        if (!isUp() && servesModel()) {
          markUp(polling);
          if (everUp) {
            downtime.record(now - downSince, TimeUnit.NANOSECONDS);
          }
          log.info(
              "model server answers at {} (model {}); polling{}",
              probe.healthUrl(),
              modelName,
              everUp
                  ? " again after " + (now - downSince) / 1_000_000 + " ms"
                  : " " + (now - launchedAt) / 1_000_000 + " ms after it started");
          everUp = true;
          upSince = now;
          firstStart.complete(null);
        }
        continue;
      }
      failures++;
      if (isUp() && failures >= timing.failuresBeforeDown()) {
        markDown(polling, health.detail());
        downSince = now;
      }
      if (hosting && !isUp() && !stoppedByUs) {
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
          stoppedByUs = true;
          current.stop();
        }
      }
    }
  }

  /**
   * Waits {@code backoff}, then starts the server again; a command that cannot be run at all is
   * tried again with the back-off doubling, for as long as the worker runs.
   *
   * @return the back-off for the next restart
   */
  private Duration relaunch(Duration backoff) {
    while (!closing) {
      log.warn("restarting the model server in {} ms", backoff.toMillis());
      nextRestartMillis.set(backoff.toMillis());
      pauseFully(backoff);
      nextRestartMillis.set(0);
      Duration next = min(backoff.multipliedBy(2), timing.maxBackoff());
      if (closing) {
        return next;
      }
      try {
        launch();
        restarts.increment();
        return next;
      } catch (IOException e) {
        failedStarts.increment();
        log.error(
            "cannot run the model command ({}); the captioner pool stays suspended and tries"
                + " again",
            e.getMessage());
        backoff = next;
      }
    }
    return backoff;
  }

  /** Starts the server. */
  private void launch() throws IOException {
    ModelServerProcess started = launcher.start(settings.modelCommand());
    started.onExit().thenRun(() -> wakeups.offer(Boolean.TRUE));
    process = started;
    // Only the executable: the rest of the command line may carry a key (vLLM's --api-key).
    log.info(
        "started the model server (pid {}{}): {} …",
        started.pid(),
        started.group() == started.pid() ? ", its own process group" : "",
        settings.modelCommand().strip().split("\\s+")[0]);
  }

  /**
   * Why a server this worker is about to start could not be the one at {@code modelUrl}: something
   * already listens on its port (often an engine a killed worker left behind). Null when free.
   */
  private String portTaken() {
    HttpUrl url = HttpUrl.get(settings.modelUrl());
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(url.host(), url.port()), 1000);
      return "port "
          + url.port()
          + " of "
          + settings.modelUrl()
          + " is already in use before the model server started (another server, or an engine"
          + " left running by a worker that was killed): stop it or use another port";
    } catch (IOException free) {
      return null;
    }
  }

  /** The first start failed: the pool never polls, and the worker is told why. */
  private void failStart(String why, List<String> lastLines) {
    failedStarts.increment();
    String message =
        lastLines.isEmpty() ? why : why + "; its last lines:\n  " + String.join("\n  ", lastLines);
    log.error("the captioner pool cannot start: {}", message);
    firstStart.completeExceptionally(new ModelServerStartException(message));
  }

  /**
   * Whether {@code <modelUrl>/models} lists the model to ask for: the configured one, else the
   * first it lists (remembered as {@link #name()}).
   */
  private boolean servesModel() {
    List<String> listed = probe.models();
    String wanted = settings.model();
    if (wanted != null && listed.contains(wanted)) {
      modelName = wanted;
      return true;
    }
    if (wanted == null && !listed.isEmpty()) {
      modelName = listed.get(0);
      return true;
    }
    log.warn(
        "the model server at {} lists {}; {}",
        settings.modelUrl(),
        listed.isEmpty() ? "no model" : listed,
        wanted == null
            ? "set captioner.model to the served name"
            : "waiting for it to serve " + wanted);
    return false;
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
    firstStart.cancel(false);
    ModelServerProcess server = process;
    if (server != null) {
      server.stop();
      log.info("stopped the model server (pid {})", server.pid());
    }
  }
}
