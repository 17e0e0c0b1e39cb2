package dev.loupe.it;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.loupe.config.EndpointSettings;
import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.Progress;
import dev.loupe.contract.TaskQueues;
import dev.loupe.embedded.RemoteTemporal;
import dev.loupe.provider.openai.FakeOpenAiServer;
import dev.loupe.recipe.ProjectConfig;
import dev.loupe.worker.LoupeModule;
import dev.loupe.worker.Pool;
import dev.loupe.worker.PoolRegistrar;
import dev.loupe.worker.TemporalModule;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Every pool's workers in the test JVM, through the production Guice modules, on the real Temporal
 * dev server of {@code scripts/test}; the model endpoint is a {@link FakeOpenAiServer}.
 */
final class InProcessWorkers implements AutoCloseable {
  static final String ENDPOINT = "fake";

  final FakeOpenAiServer fake;
  final RemoteTemporal temporal;

  private InProcessWorkers(FakeOpenAiServer fake, RemoteTemporal temporal) {
    this.fake = fake;
    this.temporal = temporal;
  }

  /** Starts the fake endpoint and the workers; model calls fail after {@code apiAttempts}. */
  static InProcessWorkers start(int apiAttempts) throws IOException {
    return start(apiAttempts, ProjectConfig.directory());
  }

  /**
   * The same, reading recipes, prompts and prices from {@code configDirectory} first (the built-in
   * copy fills in what it lacks).
   */
  static InProcessWorkers start(int apiAttempts, java.nio.file.Path configDirectory)
      throws IOException {
    return start(apiAttempts, configDirectory, UnaryOperator.identity());
  }

  /** The same, with the configuration changed by {@code adjust} (roots, limits) before use. */
  static InProcessWorkers start(
      int apiAttempts, java.nio.file.Path configDirectory, UnaryOperator<LoupeConfig> adjust)
      throws IOException {
    return start(
        apiAttempts,
        configDirectory,
        adjust,
        FakeOpenAiServer.start(),
        baseUrl ->
            new EndpointSettings("openai-compatible", baseUrl, null, "fake-model", 30, 8, null));
  }

  /**
   * The workers with the endpoint {@code endpoint} makes of the fake's base URL, against {@code
   * fake} (which a restarted set of workers shares with the set it replaces).
   */
  static InProcessWorkers start(
      int apiAttempts,
      java.nio.file.Path configDirectory,
      FakeOpenAiServer fake,
      java.util.function.Function<String, EndpointSettings> endpoint) {
    return start(apiAttempts, configDirectory, UnaryOperator.identity(), fake, endpoint);
  }

  private static InProcessWorkers start(
      int apiAttempts,
      java.nio.file.Path configDirectory,
      UnaryOperator<LoupeConfig> adjust,
      FakeOpenAiServer fake,
      java.util.function.Function<String, EndpointSettings> endpoint) {
    RemoteTemporal temporal =
        startWorkers(apiAttempts, configDirectory, adjust, endpoint.apply(fake.baseUrl()));
    return new InProcessWorkers(fake, temporal);
  }

  /**
   * The workers against another provider's fake, whose base URL {@code endpoint} was made from; the
   * caller closes that fake.
   */
  static InProcessWorkers startAgainst(
      int apiAttempts, java.nio.file.Path configDirectory, EndpointSettings endpoint) {
    return new InProcessWorkers(
        null, startWorkers(apiAttempts, configDirectory, UnaryOperator.identity(), endpoint));
  }

  private static RemoteTemporal startWorkers(
      int apiAttempts,
      java.nio.file.Path configDirectory,
      UnaryOperator<LoupeConfig> adjust,
      EndpointSettings endpoint) {
    LinkedHashMap<String, EndpointSettings> endpoints = new LinkedHashMap<>();
    endpoints.put(ENDPOINT, endpoint);
    LoupeConfig config =
        new LoupeConfig(
            null, ENDPOINT, endpoints, null, 4, new LoupeConfig.RetryConfig(apiAttempts, 1, 2));
    RemoteTemporal temporal =
        new RemoteTemporal(
            TestServers.temporalAddress(), "default", System.getenv("LOUPE_TEMPORAL_UI_URL"));
    Injector injector =
        Guice.createInjector(
            Stage.PRODUCTION,
            new LoupeModule(
                TestRoots.withTemporaryDirectory(adjust.apply(config)),
                configDirectory,
                TestServers.freshCacheEnvironment(Map.of())),
            new TemporalModule(temporal));
    injector
        .getInstance(PoolRegistrar.class)
        .register(temporal.workerFactory(), EnumSet.allOf(Pool.class));
    temporal.workerFactory().start();
    return temporal;
  }

  /**
   * A config directory with one more recipe, {@code allava-<questions>q}: ALLaVA asking that many
   * questions per image.
   */
  static java.nio.file.Path recipeAsking(java.nio.file.Path work, int questions)
      throws IOException {
    String name = "allava-" + questions + "q";
    String allava =
        java.nio.file.Files.readString(ProjectConfig.directory().resolve("recipes/allava.yaml"));
    java.nio.file.Path recipes =
        java.nio.file.Files.createDirectories(work.resolve("config/recipes"));
    java.nio.file.Files.writeString(
        recipes.resolve(name + ".yaml"),
        allava
            .replace("name: allava", "name: " + name)
            .replace("questions: 1", "questions: " + questions));
    return recipes.getParent();
  }

  WorkflowClient client() {
    return temporal.client();
  }

  /** Starts a dataset as the CLI does; returns its untyped stub. */
  WorkflowStub start(String workflowId, DatasetRequest request) {
    DatasetWorkflow workflow =
        client()
            .newWorkflowStub(
                DatasetWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(workflowId)
                    .setTaskQueue(TaskQueues.WORKFLOWS)
                    .build());
    WorkflowClient.start(workflow::run, request);
    return WorkflowStub.fromTyped(workflow);
  }

  /** Queries progress until it satisfies {@code until}; every answer goes to {@code seen}. */
  static Progress awaitProgress(
      WorkflowStub stub,
      Predicate<Progress> until,
      java.util.function.Consumer<Progress> seen,
      Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Progress last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = stub.query("progress", Progress.class);
        seen.accept(last);
        if (until.test(last)) {
          return last;
        }
      } catch (io.temporal.client.WorkflowQueryException betweenRuns) {
        // Continue-as-new in progress: the next run answers.
      }
      Thread.sleep(200);
    }
    throw new AssertionError("progress never got there within " + timeout + "; last: " + last);
  }

  /** Image workflows the visibility store lists for a query, once it has caught up. */
  long countWorkflows(String query, long expected, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long count;
    do {
      count =
          client()
              .getWorkflowServiceStubs()
              .blockingStub()
              .listWorkflowExecutions(
                  ListWorkflowExecutionsRequest.newBuilder()
                      .setNamespace("default")
                      .setQuery(query)
                      .setPageSize(1000)
                      .build())
              .getExecutionsCount();
      if (count == expected) {
        return count;
      }
      Thread.sleep(250);
    } while (System.nanoTime() < deadline);
    return count;
  }

  /**
   * Stops the workers at once, as a crash would, without waiting for their tasks; the fake stays up
   * for the workers that replace them.
   */
  void crash() {
    temporal.workerFactory().shutdownNow();
    client().getWorkflowServiceStubs().shutdownNow();
  }

  @Override
  public void close() {
    temporal.close();
    if (fake != null) {
      fake.close();
    }
  }
}
