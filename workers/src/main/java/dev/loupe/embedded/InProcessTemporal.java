package dev.loupe.embedded;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.converter.DataConverter;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.WorkerFactory;

/**
 * Temporal's in-process Java test server, for embedded runs on machines without the {@code
 * temporal} CLI. Nothing is durable and there is no UI: a crash loses the run.
 */
public final class InProcessTemporal implements TemporalConnection {
  private final TestWorkflowEnvironment environment;

  /**
   * @param dataConverter the client's converter: with payload encryption when the process has a key
   */
  public InProcessTemporal(DataConverter dataConverter) {
    this.environment =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder()
                .setUseTimeskipping(false)
                .setWorkflowClientOptions(
                    WorkflowClientOptions.newBuilder().setDataConverter(dataConverter).build())
                .build());
    for (String attribute : DevServer.SEARCH_ATTRIBUTES) {
      environment.registerSearchAttribute(
          attribute.substring(0, attribute.indexOf('=')),
          IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
  }

  @Override
  public WorkflowClient client() {
    return environment.getWorkflowClient();
  }

  @Override
  public WorkerFactory workerFactory() {
    return environment.getWorkerFactory();
  }

  @Override
  public String uiUrl() {
    return null;
  }

  @Override
  public void close() {
    environment.close();
  }
}
