package dev.loupe.embedded;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.time.Duration;

/** A Temporal server at an address: a cluster, or the dev server the CLI started. */
public final class RemoteTemporal implements TemporalConnection {
  private final WorkflowServiceStubs service;
  private final WorkflowClient client;
  private final WorkerFactory factory;
  private final String uiUrl;

  public RemoteTemporal(String address, String namespace, String uiUrl) {
    this.service =
        WorkflowServiceStubs.newConnectedServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address).build(),
            Duration.ofSeconds(10));
    this.client =
        WorkflowClient.newInstance(
            service, WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
    this.factory = WorkerFactory.newInstance(client);
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
