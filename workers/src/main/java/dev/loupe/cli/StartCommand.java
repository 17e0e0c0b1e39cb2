package dev.loupe.cli;

import dev.loupe.config.LoupeConfig;
import dev.loupe.embedded.RemoteTemporal;
import dev.loupe.storage.Locations;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Starts a dataset on a running cluster and prints its workflow ID and UI link. */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = "Start a DatasetWorkflow on the cluster at TEMPORAL_ADDRESS.")
final class StartCommand implements Callable<Integer> {
  @Mixin DatasetOptions dataset;

  @Mixin CommonOptions common;

  @Override
  public Integer call() throws Exception {
    LoupeConfig config = common.load();
    URI sourceUri = Locations.of(dataset.source);
    URI outUri = Locations.asDirectory(Locations.of(dataset.out));
    String workflowId = dataset.workflowId(sourceUri);
    try (RemoteTemporal temporal = RemoteTemporal.connect(config.temporal(), System.getenv())) {
      new DatasetRunner(temporal.client())
          .start(workflowId, dataset.request(sourceUri, outUri, null));
      System.out.println(workflowId);
      System.err.println("loupe: started " + workflowId + ": " + temporal.workflowLink(workflowId));
    }
    return 0;
  }
}
