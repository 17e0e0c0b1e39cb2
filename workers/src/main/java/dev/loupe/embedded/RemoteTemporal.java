package dev.loupe.embedded;

import com.uber.m3.tally.NoopScope;
import com.uber.m3.tally.Scope;
import dev.loupe.codec.PayloadEncryption;
import dev.loupe.codec.PayloadKeys;
import dev.loupe.config.TemporalSettings;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.interceptors.WorkerInterceptor;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A Temporal server at an address: a cluster (plaintext, TLS, mTLS or API key, as {@link
 * ConnectionOptions} says), or the dev server the CLI started. Payloads are encrypted when the
 * environment holds a payload key ({@link PayloadKeys}).
 */
public final class RemoteTemporal implements TemporalConnection {
  private final WorkflowServiceStubs service;
  private final WorkflowClient client;
  private final WorkerFactory factory;
  private final String uiUrl;

  /**
   * How long the first contact may take: a TLS handshake and the health check on a loaded host (a
   * JVM starting beside a worker) can take several seconds.
   */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /** A plaintext connection without payload encryption (tests, the embedded dev server). */
  public RemoteTemporal(String address, String namespace, String uiUrl) {
    this(new TemporalSettings(address, namespace, uiUrl), Map.of(), new NoopScope(), List.of());
  }

  /**
   * @param env where the API key and the payload keys are read from: the process environment
   * @param metrics where the SDK reports its metrics (a worker's Prometheus registry)
   * @param interceptors worker interceptors, e.g. the one that records Loupe's call metrics
   * @throws IllegalArgumentException when the server cannot be reached, naming where and how
   */
  private RemoteTemporal(
      TemporalSettings settings,
      Map<String, String> env,
      Scope metrics,
      List<WorkerInterceptor> interceptors) {
    PayloadKeys keys = PayloadKeys.fromEnvironment(env);
    try {
      this.service =
          WorkflowServiceStubs.newConnectedServiceStubs(
              ConnectionOptions.of(settings, env, metrics), CONNECT_TIMEOUT);
    } catch (StatusRuntimeException unreachable) {
      throw new IllegalArgumentException(
          "cannot reach Temporal at "
              + ConnectionOptions.describe(settings, env)
              + ": "
              + rootMessage(unreachable)
              + " (check TEMPORAL_ADDRESS and the TEMPORAL_TLS_* settings)",
          unreachable);
    }
    this.client =
        WorkflowClient.newInstance(
            service,
            WorkflowClientOptions.newBuilder()
                .setNamespace(settings.namespace())
                .setDataConverter(PayloadEncryption.dataConverter(keys))
                .build());
    this.factory =
        WorkerFactory.newInstance(
            client,
            WorkerFactoryOptions.newBuilder()
                .setWorkerInterceptors(interceptors.toArray(WorkerInterceptor[]::new))
                .build());
    this.uiUrl = settings.uiUrl();
  }

  /** A client of the server the settings name, for commands that start, query or list. */
  public static RemoteTemporal connect(TemporalSettings settings, Map<String, String> env) {
    return new RemoteTemporal(settings, env, new NoopScope(), List.of());
  }

  /** The same, for a worker process: with its metrics and interceptors. */
  public static RemoteTemporal connect(
      TemporalSettings settings,
      Map<String, String> env,
      Scope metrics,
      List<WorkerInterceptor> interceptors) {
    return new RemoteTemporal(settings, env, metrics, interceptors);
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == failure
        ? failure.getMessage()
        : failure.getMessage() + " (" + root.getMessage() + ")";
  }

  @Override
  public WorkflowClient client() {
    return client;
  }

  @Override
  public WorkerFactory workerFactory() {
    return factory;
  }

  @Override
  public String uiUrl() {
    return uiUrl;
  }

  @Override
  public void close() {
    factory.shutdown();
    factory.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
    service.shutdown();
  }
}
