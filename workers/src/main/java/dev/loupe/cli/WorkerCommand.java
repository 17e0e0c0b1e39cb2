package dev.loupe.cli;

import dev.loupe.config.ConfigLoader;
import dev.loupe.config.LoupeConfig;
import dev.loupe.embedded.RemoteTemporal;
import dev.loupe.embedded.SearchAttributeCheck;
import dev.loupe.worker.Pool;
import dev.loupe.worker.PoolRegistrar;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A worker process for one or more pools, against the server at {@code TEMPORAL_ADDRESS}. */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = "Run a worker process for the given pools until SIGTERM.")
final class WorkerCommand implements Callable<Integer> {
  @Option(
      names = "--pool",
      required = true,
      description = "workflows, cpu, api or all (repeatable, or comma-separated)")
  List<String> pools;

  @Mixin CommonOptions common;

  @Override
  public Integer call() throws Exception {
    LoupeConfig config = common.load();
    Set<Pool> selected = Pool.parse(pools);
    if (selected.contains(Pool.API)) {
      ConfigLoader.requireEndpoints(config);
    }
    RemoteTemporal temporal =
        new RemoteTemporal(
            config.temporal().address(), config.temporal().namespace(), config.temporal().uiUrl());
    if (selected.contains(Pool.WORKFLOWS)) {
      SearchAttributeCheck.requireRegistered(temporal.client());
    }
    List<String> queues =
        common
            .injector(config, temporal)
            .getInstance(PoolRegistrar.class)
            .register(temporal.workerFactory(), selected);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.err.println("loupe: stopping: finishing in-flight tasks (up to 30 s)");
                  temporal.workerFactory().shutdown();
                  temporal.workerFactory().awaitTermination(30, TimeUnit.SECONDS);
                  stopped.countDown();
                },
                "loupe-shutdown"));
    temporal.workerFactory().start();
    System.err.println(
        "loupe: worker polling "
            + String.join(", ", queues)
            + " at "
            + config.temporal().address());
    stopped.await();
    return 0;
  }
}
