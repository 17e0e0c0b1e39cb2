package dev.loupe.worker;

import com.google.inject.AbstractModule;
import dev.loupe.embedded.TemporalConnection;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;

/** Binds the Temporal connection: a remote server, the dev server, or the in-process one. */
public final class TemporalModule extends AbstractModule {
  private final TemporalConnection connection;

  public TemporalModule(TemporalConnection connection) {
    this.connection = connection;
  }

  @Override
  protected void configure() {
    bind(TemporalConnection.class).toInstance(connection);
    bind(WorkflowClient.class).toInstance(connection.client());
    bind(WorkerFactory.class).toInstance(connection.workerFactory());
  }
}
