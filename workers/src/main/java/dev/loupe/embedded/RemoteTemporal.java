package dev.loupe.embedded;

import com.uber.m3.tally.NoopScope;
import com.uber.m3.tally.Scope;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.interceptors.WorkerInterceptor;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import java.time.Duration;
import java.util.List;

/** A Temporal server at an address: a cluster, or the dev server the CLI started. */
public final class RemoteTemporal implements TemporalConnection {
  private final WorkflowServiceStubs service;
  private final WorkflowClient client;
  private final WorkerFactory factory;
  private final String uiUrl;

  public RemoteTemporal(String address, String namespace, String uiUrl) {
    this(address, namespace, uiUrl, new NoopScope(), List.of());
  }

  /**
   * @param metrics where the SDK reports its metrics (a worker's Prometheus registry)
   * @param interceptors worker interceptors, e.g. the one that records Loupe's call metrics
   */
  public RemoteTemporal(
      String address,
      String namespace,
      String uiUrl,
      Scope metrics,
      List<WorkerInterceptor> interceptors) {
    this.service =
        WorkflowServiceStubs.newConnectedServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(address)
                .setMetricsScope(metrics)
                .build(),
            Duration.ofSeconds(10));
    this.client =
        WorkflowClient.newInstance(
            service, WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
    this.factory =
        WorkerFactory.newInstance(
            client,
            WorkerFactoryOptions.newBuilder()
                .setWorkerInterceptors(interceptors.toArray(WorkerInterceptor[]::new))
                .build());
    this.uiUrl = uiUrl;
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
