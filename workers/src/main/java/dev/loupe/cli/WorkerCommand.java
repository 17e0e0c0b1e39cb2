package dev.loupe.cli;

import com.google.inject.Injector;
import com.uber.m3.tally.Scope;
import com.uber.m3.tally.ScopeCloseException;
import dev.loupe.captioner.ModelServerSupervisor;
import dev.loupe.captioner.PollingSwitch;
import dev.loupe.codec.CodecServer;
import dev.loupe.codec.EncryptingPayloadCodec;
import dev.loupe.codec.PayloadKeys;
import dev.loupe.config.CaptionerSettings;
import dev.loupe.config.ConfigLoader;
import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.TaskQueues;
import dev.loupe.embedded.ConnectionOptions;
import dev.loupe.embedded.RemoteTemporal;
import dev.loupe.embedded.SearchAttributes;
import dev.loupe.metrics.CallMetrics;
import dev.loupe.metrics.CallMetricsInterceptor;
import dev.loupe.metrics.MetricsServer;
import dev.loupe.metrics.TemporalMetrics;
import dev.loupe.worker.Pool;
import dev.loupe.worker.PoolRegistrar;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.worker.WorkerFactory;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A worker process for one or more pools, against the server at {@code TEMPORAL_ADDRESS}, until
 * SIGTERM: then it stops polling, lets in-flight tasks finish for the drain time, hands back the
 * ones still running (they fail as retryable and are retried at once elsewhere), stops the model
 * server it hosts, and exits 0.
 */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = "Run a worker process for the given pools until SIGTERM.")
final class WorkerCommand implements Callable<Integer> {
  /** After the drain time, how long interrupted tasks get to report their hand-back. */
  private static final long HAND_BACK_SECONDS = 10;

  @Option(
      names = "--pool",
      required = true,
      description =
          "workflows, cpu, api, captioner or all (repeatable, or comma-separated); all includes"
              + " the captioner only where a captioner model is configured")
  List<String> pools;

  @Option(
      names = "--metrics-port",
      description = "serve Prometheus metrics at :PORT/metrics (0: any free port)")
  Integer metricsPort;

  @Option(
      names = "--drain-seconds",
      description = "on SIGTERM, time for in-flight tasks to finish before they are handed back")
  Integer drainSeconds;

  @Option(
      names = "--model-command",
      description =
          "captioner: command line that starts the OpenAI-compatible model server, e.g."
              + " \"vllm serve <model> --port 8000\"")
  String modelCommand;

  @Option(
      names = "--model-url",
      description =
          "captioner: where the model server answers (default "
              + CaptionerSettings.DEFAULT_MODEL_URL
              + ")")
  String modelUrl;

  @Option(
      names = "--batch-slots",
      description = "captioner: captions at the server at once, its batch size (default 8)")
  Integer batchSlots;

  @Option(
      names = "--queued-captions",
      description =
          "captioner: captions held ready beyond --batch-slots for the next free slot (default:"
              + " as many as --batch-slots)")
  Integer queuedCaptions;

  @Option(
      names = "--codec-port",
      description =
          "serve Temporal's codec-server endpoints (/decode, /encode) on this port, so the"
              + " Temporal UI shows encrypted payloads (needs LOUPE_PAYLOAD_KEY; 0: any free port)")
  Integer codecPort;

  @Option(
      names = "--codec-bind",
      defaultValue = "127.0.0.1",
      description = "address the codec server listens on (default: ${DEFAULT-VALUE})")
  String codecBind;

  @Option(
      names = "--codec-cors-origin",
      description =
          "browser origin allowed to call the codec server, repeatable (default: the origin of"
              + " LOUPE_TEMPORAL_UI_URL or temporal.uiUrl)")
  List<String> codecCorsOrigins;

  @Option(
      names = "--cache",
      paramLabel = "DIR|s3://…",
      description =
          "response cache of this worker's model calls (default: the config's cache:, else"
              + " $XDG_CACHE_HOME/loupe/responses or ~/.cache/loupe/responses)")
  String cache;

  @Option(names = "--no-cache", description = "send every model call, store no responses")
  boolean noCache;

  @Mixin CommonOptions common;

  @Override
  public Integer call() throws Exception {
    LoupeConfig config = withFlags(common.load());
    Set<Pool> selected = Pool.parse(pools, config.captioner() != null);
    if (selected.contains(Pool.API)) {
      ConfigLoader.requireEndpoints(config);
    }
    if (selected.contains(Pool.CAPTIONER) && config.captioner() == null) {
      throw new UserError(
          "the captioner pool needs --model-command or --model-url (or a 'captioner:' section"
              + " in --config)");
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Scope sdkMetrics = TemporalMetrics.scope(registry);
    CallMetrics calls = new CallMetrics(registry);
    Map<String, String> env = System.getenv();
    RemoteTemporal temporal =
        RemoteTemporal.connect(
            config.temporal(), env, sdkMetrics, List.of(new CallMetricsInterceptor(calls)));
    Optional<MetricsServer> metrics =
        config.worker().metricsPort() == null
            ? Optional.empty()
            : Optional.of(MetricsServer.start(config.worker().metricsPort(), registry));
    if (selected.contains(Pool.WORKFLOWS)) {
      SearchAttributes.ensureRegistered(temporal.client(), System.err);
    }
    Optional<CodecServer> codec = startCodecServer(config, env);
    Injector injector = common.injector(config, temporal, registry);
    WorkerFactory factory = temporal.workerFactory();
    List<String> queues = injector.getInstance(PoolRegistrar.class).register(factory, selected);
    Optional<ModelServerSupervisor> model =
        selected.contains(Pool.CAPTIONER)
            ? Optional.of(injector.getInstance(ModelServerSupervisor.class))
            : Optional.empty();
    AtomicInteger exitCode = new AtomicInteger();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () ->
                    stop(
                        factory,
                        calls,
                        config,
                        model,
                        metrics,
                        codec,
                        sdkMetrics,
                        temporal,
                        exitCode.get()),
                "loupe-shutdown"));
    factory.start();
    model.ifPresent(
        server -> server.start(PollingSwitch.of(factory.getWorker(TaskQueues.CAPTIONER))));
    System.err.println(
        "loupe: worker polling "
            + String.join(", ", queues)
            + " at "
            + ConnectionOptions.describe(config.temporal(), env)
            + (PayloadKeys.fromEnvironment(env).enabled() ? "; payloads encrypted" : "")
            + metrics.map(m -> "; metrics at :" + m.port() + "/metrics").orElse("")
            + codec.map(c -> "; codec server at " + c.url()).orElse("")
            + model
                .map(m -> "; captioner model at " + m.url() + " (polling once it answers)")
                .orElse(""));
    if (model.isPresent()) {
      try {
        model.get().firstStart().get();
      } catch (ExecutionException e) {
        // The pool never polled. Exit through the shutdown hook, which stops everything else.
        System.err.println("loupe: the captioner pool cannot start: " + e.getCause().getMessage());
        exitCode.set(1);
        System.exit(1);
      }
    }
    new CountDownLatch(1).await();
    return 0;
  }

  private Optional<CodecServer> startCodecServer(LoupeConfig config, Map<String, String> env)
      throws java.io.IOException {
    if (codecPort == null) {
      return Optional.empty();
    }
    PayloadKeys keys = PayloadKeys.fromEnvironment(env);
    if (!keys.enabled()) {
      throw new UserError(
          "--codec-port serves decrypted payloads, so it needs " + PayloadKeys.KEY + " to be set");
    }
    Set<String> origins = new java.util.LinkedHashSet<>();
    if (codecCorsOrigins != null) {
      origins.addAll(codecCorsOrigins);
    } else if (config.temporal().uiUrl() != null) {
      URI ui = URI.create(config.temporal().uiUrl());
      origins.add(ui.getScheme() + "://" + ui.getRawAuthority());
    }
    String token = env.get(CodecServer.TOKEN_VARIABLE);
    return Optional.of(
        CodecServer.start(
            InetAddress.getByName(codecBind),
            codecPort,
            new EncryptingPayloadCodec(keys),
            config.temporal().namespace(),
            origins,
            token == null || token.isBlank() ? null : token));
  }

  private LoupeConfig withFlags(LoupeConfig loaded) {
    CaptionerSettings captioner = loaded.captioner();
    if (modelCommand != null || modelUrl != null || batchSlots != null || queuedCaptions != null) {
      captioner =
          (captioner == null ? CaptionerSettings.DEFAULT : captioner)
              .withFlags(modelCommand, modelUrl, batchSlots, queuedCaptions);
    }
    LoupeConfig flagged =
        loaded.withWorker(loaded.worker().withFlags(metricsPort, drainSeconds), captioner);
    if (noCache) {
      return flagged.withCache(LoupeConfig.NO_CACHE);
    }
    return cache == null ? flagged : flagged.withCache(cache);
  }

  /**
   * SIGTERM: stop polling, drain, hand back, stop the model server, flush metrics, exit 0 (1 when
   * the captioner pool could not start). Exiting from the hook with {@code halt(0)} is deliberate:
   * SIGTERM is how a worker is meant to stop, so supervisors (compose, systemd, Kubernetes) should
   * see a clean exit, not the JVM's 143.
   */
  private static void stop(
      WorkerFactory factory,
      CallMetrics calls,
      LoupeConfig config,
      Optional<ModelServerSupervisor> model,
      Optional<MetricsServer> metrics,
      Optional<CodecServer> codec,
      Scope sdkMetrics,
      RemoteTemporal temporal,
      int exitCode) {
    int drain = config.worker().drainSeconds();
    System.err.println(
        "loupe: stopping: finishing in-flight tasks (up to "
            + drain
            + " s, "
            + calls.inFlight()
            + " running)");
    long start = System.nanoTime();
    factory.shutdown();
    factory.awaitTermination(drain, TimeUnit.SECONDS);
    if (factory.isTerminated()) {
      System.err.println(
          "loupe: in-flight tasks finished in "
              + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
              + " ms");
    } else {
      System.err.println(
          "loupe: handing back " + calls.inFlight() + " in-flight task(s) after " + drain + " s");
      factory.shutdownNow();
      factory.awaitTermination(HAND_BACK_SECONDS, TimeUnit.SECONDS);
    }
    model.ifPresent(ModelServerSupervisor::close);
    try {
      sdkMetrics.close();
    } catch (ScopeCloseException e) {
      // The last report of SDK metrics is lost; the worker still stops cleanly.
      System.err.println("loupe: could not flush the SDK's metrics: " + e.getMessage());
    }
    metrics.ifPresent(MetricsServer::close);
    codec.ifPresent(CodecServer::close);
    temporal.close();
    System.err.println("loupe: worker stopped");
    System.err.flush();
    System.out.flush();
    Runtime.getRuntime().halt(exitCode);
  }
}
