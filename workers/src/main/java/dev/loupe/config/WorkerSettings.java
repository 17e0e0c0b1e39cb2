package dev.loupe.config;

import java.util.Map;
import java.util.Set;

/**
 * How a {@code loupe worker} process runs its pools (the {@code worker:} section; flags win).
 *
 * @param metricsPort serve Prometheus text on this port at {@code /metrics}; none when absent, any
 *     free port when 0
 * @param drainSeconds on SIGTERM, how long in-flight tasks may take to finish before they are
 *     handed back to their queues (default 30)
 * @param workflowConcurrency workflow tasks in flight at once on the workflows pool (default 200)
 * @param pollers per pool name ({@code workflows}, {@code cpu}, {@code api}, {@code captioner}):
 *     how many task-queue pollers it runs; autoscaling when absent
 */
public record WorkerSettings(
    Integer metricsPort,
    Integer drainSeconds,
    Integer workflowConcurrency,
    Map<String, PollerSettings> pollers) {

  static final Set<String> POOL_NAMES = Set.of("workflows", "cpu", "api", "captioner");

  public static final WorkerSettings DEFAULT = new WorkerSettings(null, null, null, null);

  public WorkerSettings {
    if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
      throw new IllegalArgumentException("worker metricsPort must be within 0..65535");
    }
    drainSeconds = drainSeconds == null ? 30 : drainSeconds;
    if (drainSeconds < 1 || drainSeconds > 3600) {
      throw new IllegalArgumentException(
          "worker drainSeconds must be within 1..3600: " + drainSeconds);
    }
    workflowConcurrency = workflowConcurrency == null ? 200 : workflowConcurrency;
    if (workflowConcurrency < 2) {
      // The SDK needs two workflow-task slots: one for a workflow, one for its sticky queue.
      throw new IllegalArgumentException(
          "worker workflowConcurrency must be at least 2: " + workflowConcurrency);
    }
    pollers = pollers == null ? Map.of() : Map.copyOf(pollers);
    for (String pool : pollers.keySet()) {
      if (!POOL_NAMES.contains(pool)) {
        throw new IllegalArgumentException(
            "worker pollers: unknown pool '" + pool + "' (pools: workflows, cpu, api, captioner)");
      }
    }
  }

  /** The poller settings of a pool: configured, or autoscaling with the SDK's defaults. */
  public PollerSettings pollersOf(String pool) {
    return pollers.getOrDefault(pool, PollerSettings.AUTOSCALING);
  }

  /** These settings with the command-line flags that were given. */
  public WorkerSettings withFlags(Integer port, Integer drain) {
    return new WorkerSettings(
        port == null ? metricsPort : port,
        drain == null ? drainSeconds : drain,
        workflowConcurrency,
        pollers);
  }

  /**
   * Task-queue pollers of one pool. With {@code autoscaling} (the default) the SDK scales between
   * {@code minimum} and {@code maximum} from the server's feedback, starting at {@code initial}
   * (defaults 1, 100, 5); without, it runs {@code maximum} pollers (default 5).
   */
  public record PollerSettings(
      Boolean autoscaling, Integer minimum, Integer maximum, Integer initial) {
    static final PollerSettings AUTOSCALING = new PollerSettings(true, null, null, null);

    public PollerSettings {
      boolean scaling = autoscaling == null || autoscaling;
      if (!scaling && (minimum != null || initial != null)) {
        throw new IllegalArgumentException(
            "pollers without autoscaling take only 'maximum' (a fixed number of pollers)");
      }
      int low = minimum == null ? 1 : minimum;
      int high = maximum == null ? (scaling ? 100 : 5) : maximum;
      int start = initial == null ? Math.min(Math.max(5, low), high) : initial;
      if (low < 1 || high < low || start < low || start > high) {
        throw new IllegalArgumentException(
            "pollers need 1 <= minimum <= initial <= maximum, got minimum="
                + minimum
                + " initial="
                + initial
                + " maximum="
                + maximum);
      }
      autoscaling = scaling;
      minimum = scaling ? low : null;
      maximum = high;
      initial = scaling ? start : null;
    }
  }
}
