package dev.loupe.cli;

import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.embedded.RemoteTemporal;
import dev.loupe.storage.Locations;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Starts a dataset on a running cluster and prints its workflow ID and UI link. */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = "Start a DatasetWorkflow on the cluster at TEMPORAL_ADDRESS.")
final class StartCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "SOURCE",
      description = "s3:// prefix, directory or .jsonl manifest")
  String source;

  @Option(names = "--out", required = true, description = "output s3:// prefix or directory")
  String out;

  @Option(names = "--recipe", description = "recipe name (default: allava)")
  String recipe;

  @Option(names = "--limit", description = "at most this many images")
  Integer limit;

  @Option(names = "--window", description = "images in flight at once (default: 100)")
  Integer window;

  @Option(names = "--budget-usd", description = "stop starting images once this much is spent")
  Double budgetUsd;

  @Option(names = "--id", description = "the dataset's workflow ID")
  String id;

  @Option(
      names = "--failed-wait-hours",
      description =
          "when images failed, wait this long for retry-failed or finish (default: 24; 0: do not)")
  Double failedWaitHours;

  @Option(
      names = "--conversation",
      description = "QA pairs of an image as one multi_turn conversation (default) or separate")
  String conversation;

  @Mixin CommonOptions common;

  @Override
  public Integer call() throws Exception {
    LoupeConfig config = common.load();
    URI sourceUri = Locations.of(source);
    URI outUri = Locations.asDirectory(Locations.of(out));
    String workflowId = id != null ? id : WorkflowIds.forSource(sourceUri);
    try (RemoteTemporal temporal =
        new RemoteTemporal(
            config.temporal().address(),
            config.temporal().namespace(),
            config.temporal().uiUrl())) {
      new DatasetRunner(temporal.client())
          .start(
              workflowId,
              new DatasetRequest(
                  sourceUri.toString(),
                  outUri.toString(),
                  recipe,
                  limit,
                  window,
                  budgetUsd,
                  failedWaitHours,
                  conversation,
                  null));
      System.out.println(workflowId);
      System.err.println("loupe: started " + workflowId + ": " + temporal.workflowLink(workflowId));
    }
    return 0;
  }
}
