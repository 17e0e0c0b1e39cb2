package dev.loupe.it;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.TaskQueues;
import dev.loupe.embedded.RemoteTemporal;
import dev.loupe.image.TestImages;
import dev.loupe.image.TestScenes;
import dev.loupe.recipe.ProjectConfig;
import dev.loupe.storage.Locations;
import dev.loupe.worker.LoupeModule;
import dev.loupe.worker.Pool;
import dev.loupe.worker.PoolRegistrar;
import dev.loupe.worker.TemporalModule;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Every pool's workers in this JVM, built by the production Guice modules from a configuration and
 * an environment, on a real Temporal server. Only the model endpoints are fakes.
 */
public final class InJvmWorkers implements AutoCloseable {
  private final RemoteTemporal temporal;

  private InJvmWorkers(RemoteTemporal temporal) {
    this.temporal = temporal;
  }

  /**
   * @param config the workers' configuration; the system temporary directory, where tests keep
   *     their images and outputs, is added to its roots
   * @param env where API keys are read from, as a worker reads its process environment
   */
  public static InJvmWorkers start(String address, LoupeConfig config, Map<String, String> env) {
    RemoteTemporal temporal = new RemoteTemporal(address, "default", null);
    try {
      Injector injector =
          Guice.createInjector(
              Stage.PRODUCTION,
              new LoupeModule(
                  TestRoots.withTemporaryDirectory(config), ProjectConfig.directory(), env),
              new TemporalModule(temporal));
      injector
          .getInstance(PoolRegistrar.class)
          .register(temporal.workerFactory(), EnumSet.allOf(Pool.class));
      temporal.workerFactory().start();
      return new InJvmWorkers(temporal);
    } catch (RuntimeException e) {
      temporal.close();
      throw e;
    }
  }

  public WorkflowClient client() {
    return temporal.client();
  }

  /** A dataset stub with this workflow ID on the workflow queue. */
  public DatasetWorkflow dataset(String workflowId) {
    return temporal
        .client()
        .newWorkflowStub(
            DatasetWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .build());
  }

  /** Runs a dataset of the images in {@code images} (the allava recipe) into {@code out}. */
  public DatasetResult run(String workflowId, Path images, Path out) {
    return dataset(workflowId).run(request(images, out, null));
  }

  /**
   * @param window images in flight, or null for the default
   */
  public static DatasetRequest request(Path images, Path out, Integer window) {
    return new DatasetRequest(
        Locations.of(images.toAbsolutePath().toString()).toString(),
        Locations.asDirectory(Locations.of(out.toAbsolutePath().toString())).toString(),
        DatasetRequest.DEFAULT_RECIPE,
        null,
        window,
        null,
        null);
  }

  /** Writes {@code count} distinct photo-like JPEGs of at least 512 px on the short side. */
  public static Path writePhotos(Path directory, int count) throws IOException {
    Files.createDirectories(directory);
    for (int i = 0; i < count; i++) {
      Files.write(
          directory.resolve("photo-%04d.jpg".formatted(i)),
          TestImages.jpeg(TestScenes.photoScene(640 + i, 512), 0.8f));
    }
    return directory;
  }

  /** Stops polling and lets in-flight tasks finish; the client stays usable. */
  public void stopWorkers() {
    temporal.workerFactory().shutdown();
    temporal.workerFactory().awaitTermination(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    temporal.close();
  }
}
