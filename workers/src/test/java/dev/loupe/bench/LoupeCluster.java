package dev.loupe.bench;

import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.TaskQueues;
import dev.loupe.storage.Locations;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Loupe as it runs in production, for benchmarks and fault tests: a Temporal server (its own, or
 * the one at an address), {@code loupe worker} processes from the packaged jar pointed at a fake
 * endpoint, and a client that starts datasets of the benchmark recipe and waits for them.
 */
public final class LoupeCluster implements AutoCloseable {
  private final TemporalTestServer server;
  private final String address;
  private final Path jar;
  private final Path work;
  private final Path config;
  private final Map<String, String> env;
  private final String maxHeap;
  private final List<LoupeWorker> workers = new ArrayList<>();
  private WorkflowServiceStubs service;
  private WorkflowClient client;
  private int started;

  /**
   * @param server the dev server this cluster owns and closes, or null to use {@code address}
   * @param address the server's address
   * @param jar the packaged {@code loupe.jar}
   * @param work where configuration and logs go
   * @param config the worker configuration
   * @param apiKey the key workers read from {@code config.apiKeyEnv()}
   * @param maxHeap each worker's {@code -Xmx}
   */
  public LoupeCluster(
      TemporalTestServer server,
      String address,
      Path jar,
      Path work,
      BenchConfig config,
      String apiKey,
      String maxHeap)
      throws IOException {
    this.server = server;
    this.address = address;
    this.jar = jar;
    this.work = work;
    // Benchmarks and fault runs keep images and outputs beside the cluster's own directory.
    this.config = config.write(work.resolve("loupe.yaml"), work.toAbsolutePath().getParent());
    this.maxHeap = maxHeap;
    this.env = new HashMap<>();
    env.put("TEMPORAL_ADDRESS", address);
    env.put(config.apiKeyEnv(), apiKey);
    connect();
  }

  /** (Re)connects the client, e.g. after the server restarted. */
  public void connect() {
    if (service != null) {
      service.shutdownNow();
    }
    service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    client =
        WorkflowClient.newInstance(
            service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
  }

  public WorkflowClient client() {
    return client;
  }

  /** The workers' configuration file. */
  public Path configFile() {
    return config;
  }

  public TemporalTestServer server() {
    return server;
  }

  public List<LoupeWorker> workers() {
    return List.copyOf(workers);
  }

  /** Starts a worker for {@code pools} (e.g. {@code all}, {@code api}) and waits until it polls. */
  public LoupeWorker startWorker(String pools) throws IOException, InterruptedException {
    return startWorker(pools, BenchConfig.configDirectory());
  }

  /**
   * Starts a worker for {@code pools} with recipes and prompts from {@code configDirectory} (the
   * built-in copy for what it lacks) and further worker flags, and waits until it polls.
   */
  public LoupeWorker startWorker(String pools, Path configDirectory, String... flags)
      throws IOException, InterruptedException {
    String name = "worker-" + pools.replace(',', '-') + "-" + (++started);
    List<String> args = new ArrayList<>();
    args.addAll(List.of("--config", config.toString(), "--config-dir", configDirectory.toString()));
    args.addAll(List.of(flags));
    LoupeWorker worker =
        LoupeWorker.start(
            jar, work.resolve("logs"), name, maxHeap, env, pools, args.toArray(String[]::new));
    workers.add(worker);
    return worker.awaitPolling(Duration.ofMinutes(2));
  }

  /** Starts a dataset of the benchmark recipe over {@code images} into {@code out}. */
  public String startDataset(String id, Path images, Path out, int window) {
    DatasetRequest request =
        new DatasetRequest(
            Locations.asDirectory(Locations.file(images)).toString(),
            Locations.asDirectory(Locations.file(out)).toString(),
            BenchConfig.RECIPE,
            null,
            window,
            null,
            null);
    return startDataset(id, request);
  }

  /** Starts a dataset of the given request. */
  public String startDataset(String id, DatasetRequest request) {
    DatasetWorkflow dataset =
        client.newWorkflowStub(
            DatasetWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .build());
    WorkflowClient.start(dataset::run, request);
    return id;
  }

  /** Waits for a dataset's result. */
  public DatasetResult await(String id, Duration timeout) throws Exception {
    WorkflowStub stub = client.newUntypedWorkflowStub(id);
    return stub.getResult(timeout.toMillis(), TimeUnit.MILLISECONDS, DatasetResult.class);
  }

  /** The workers' logs, for failure messages. */
  public String logs() {
    StringBuilder all = new StringBuilder();
    for (LoupeWorker worker : workers) {
      all.append(worker.logs());
    }
    return all.toString();
  }

  @Override
  public void close() {
    for (LoupeWorker worker : workers) {
      worker.close();
    }
    if (service != null) {
      service.shutdownNow();
    }
    if (server != null) {
      server.close();
    }
  }
}
