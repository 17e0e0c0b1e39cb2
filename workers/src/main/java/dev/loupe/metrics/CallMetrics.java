package dev.loupe.metrics;

import dev.loupe.contract.FailureType;
import dev.loupe.contract.ModelCall;
import dev.loupe.contract.ModelCallResult;
import dev.loupe.contract.Usage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loupe's own metrics (Prometheus names {@code loupe_…}), recorded from what activities return and
 * throw, so activity code knows nothing of them:
 *
 * <ul>
 *   <li>{@code loupe_model_calls_total{endpoint,stage,outcome}}: model calls by outcome, {@code ok}
 *       or the failure type in lower case ({@code rate_limited}, {@code transport}, …)
 *   <li>{@code loupe_model_rate_limits_total{endpoint,stage,type}}: HTTP 429 answers ({@code
 *       rate_limited} waits and retries, {@code quota_exhausted} does not)
 *   <li>{@code loupe_model_input_tokens_total}, {@code loupe_model_output_tokens_total}, {@code
 *       loupe_model_cost_usd_total} by {@code endpoint,stage,model}: provider-reported usage and
 *       its price
 *   <li>{@code loupe_model_call_latency_seconds{endpoint,stage}}: histogram of the HTTP exchange
 *   <li>{@code loupe_stage_duration_seconds{pool,stage,outcome}}: histogram of every activity's
 *       wall time, model calls, probing, persisting and export alike
 *   <li>{@code loupe_activities_in_flight{pool}}: activities executing now
 * </ul>
 */
public final class CallMetrics {
  static final String OK = "ok";

  private static final Duration[] BUCKETS = {
    Duration.ofMillis(10),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60),
    Duration.ofSeconds(120),
    Duration.ofSeconds(300),
    Duration.ofSeconds(600)
  };

  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  public CallMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** An activity is starting on a queue; returns what to pass to {@link #finished}. */
  long started(ActivityNames names) {
    inFlightOf(names.pool()).incrementAndGet();
    return System.nanoTime();
  }

  /** Activities executing now on all queues of this worker. */
  public int inFlight() {
    return inFlight.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  void succeeded(ActivityNames names, long startNanos, Object result) {
    finished(names, startNanos, OK);
    if (!names.modelCall()) {
      return;
    }
    ModelCall call = result instanceof ModelCallResult paid ? paid.call() : null;
    String endpoint = call == null || call.endpoint() == null ? names.endpoint() : call.endpoint();
    String stage = call == null || call.stage() == null ? names.stage() : call.stage();
    calls(endpoint, stage, OK).increment();
    if (call == null) {
      return;
    }
    String model = call.model() == null ? "unknown" : call.model();
    Usage usage = call.usage() == null ? Usage.ZERO : call.usage();
    counter(
            "loupe.model.input.tokens",
            "tokens the provider counted in requests",
            endpoint,
            stage,
            model)
        .increment(usage.inputTokens());
    counter(
            "loupe.model.output.tokens",
            "tokens the provider counted in answers",
            endpoint,
            stage,
            model)
        .increment(usage.outputTokens());
    counter("loupe.model.cost.usd", "USD priced from prices.yaml", endpoint, stage, model)
        .increment(usage.costUsd());
    Timer.builder("loupe.model.call.latency")
        .description("wall time of one model call's HTTP exchange")
        .tags("endpoint", endpoint, "stage", stage)
        .serviceLevelObjectives(BUCKETS)
        .register(registry)
        .record(call.latencyMillis(), TimeUnit.MILLISECONDS);
  }

  void failed(ActivityNames names, long startNanos, Throwable failure) {
    String outcome = outcomeOf(failure);
    finished(names, startNanos, outcome);
    if (!names.modelCall()) {
      return;
    }
    calls(names.endpoint(), names.stage(), outcome).increment();
    if (outcome.equals(FailureType.RATE_LIMITED.reason())
        || outcome.equals(FailureType.QUOTA_EXHAUSTED.reason())) {
      Counter.builder("loupe.model.rate.limits")
          .description("HTTP 429 answers of model endpoints")
          .tags("endpoint", names.endpoint(), "stage", names.stage(), "type", outcome)
          .register(registry)
          .increment();
    }
  }

  private void finished(ActivityNames names, long startNanos, String outcome) {
    inFlightOf(names.pool()).decrementAndGet();
    Timer.builder("loupe.stage.duration")
        .description("wall time of activities, by pool, stage and outcome")
        .tags("pool", names.pool(), "stage", names.stage(), "outcome", outcome)
        .serviceLevelObjectives(BUCKETS)
        .register(registry)
        .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  /** {@code ok}, a failure type in lower case, {@code cancelled}, or {@code error}. */
  static String outcomeOf(Throwable failure) {
    if (failure instanceof ApplicationFailure application) {
      return FailureType.fromName(application.getType()).map(FailureType::reason).orElse("error");
    }
    if (failure instanceof ActivityCompletionException) {
      return "cancelled";
    }
    return "error";
  }

  private Counter calls(String endpoint, String stage, String outcome) {
    return Counter.builder("loupe.model.calls")
        .description("model calls by outcome: ok or the failure type")
        .tags("endpoint", endpoint, "stage", stage, "outcome", outcome)
        .register(registry);
  }

  private Counter counter(
      String name, String description, String endpoint, String stage, String model) {
    return Counter.builder(name)
        .description(description)
        .tags("endpoint", endpoint, "stage", stage, "model", model)
        .register(registry);
  }

  private AtomicInteger inFlightOf(String pool) {
    return inFlight.computeIfAbsent(
        pool,
        name -> {
          AtomicInteger count = new AtomicInteger();
          Gauge.builder("loupe.activities.in.flight", count, AtomicInteger::get)
              .description("activities executing now")
              .tag("pool", name.toLowerCase(Locale.ROOT))
              .register(registry);
          return count;
        });
  }
}
