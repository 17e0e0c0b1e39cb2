package dev.loupe.cli;

import dev.loupe.contract.DatasetRequest;
import dev.loupe.storage.Locations;
import java.net.URI;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What a dataset is made of, as `loupe run` and `loupe start` take it on the command line. */
final class DatasetOptions {
  @Parameters(
      index = "0",
      paramLabel = "SOURCE",
      description = "directory, s3:// prefix or .jsonl manifest")
  String source;

  @Option(names = "--out", required = true, description = "output directory or s3:// prefix")
  String out;

  @Option(names = "--recipe", description = "recipe name (default: allava)")
  String recipe;

  @Option(names = "--limit", description = "at most this many images")
  Integer limit;

  @Option(names = "--window", description = "images in flight at once (default: 100)")
  Integer window;

  @Option(names = "--budget-usd", description = "stop starting images once this much is spent")
  Double budgetUsd;

  @Option(names = "--id", description = "the dataset's workflow ID (default: from the source name)")
  String id;

  @Option(
      names = "--failed-wait-hours",
      description =
          "when images failed, wait this long for `loupe retry-failed` before ending"
              + " (default: 0 for run, which ends with the dataset; 24 for start)")
  Double failedWaitHours;

  @Option(
      names = "--conversation",
      description = "QA pairs of an image as one multi_turn conversation (default) or separate")
  String conversation;

  @Option(
      names = "--lane",
      description =
          "online (default), batch or flex: the lane of stages that have none of their own")
  String lane;

  @Mixin FormatOptions formats;

  @Option(
      names = "--weight",
      description =
          "this dataset's share of the worker pools against datasets running at the same time"
              + " (default: 1; a dataset with weight 2 gets twice the tasks of one with 1)")
  Double weight;

  @Option(
      names = "--cache",
      paramLabel = "DIR|s3://…",
      description = "response cache of this run's model calls (default: the API workers' own)")
  String cache;

  @Option(names = "--no-cache", description = "send every model call, store no responses")
  boolean noCache;

  /**
   * The workflow's input.
   *
   * @param failedWaitDefault hours to wait for retries when {@code --failed-wait-hours} is not
   *     given; null leaves the workflow's own default
   */
  DatasetRequest request(URI sourceUri, URI outUri, Double failedWaitDefault) {
    return new DatasetRequest(
        sourceUri.toString(),
        outUri.toString(),
        recipe,
        limit,
        window,
        budgetUsd,
        failedWaitHours != null ? failedWaitHours : failedWaitDefault,
        conversation,
        formats.formats(),
        formats.shards(),
        null,
        lane,
        cacheChoice(),
        weight);
  }

  private String cacheChoice() {
    if (noCache) {
      return DatasetRequest.NO_CACHE;
    }
    return cache == null ? null : Locations.asDirectory(Locations.of(cache)).toString();
  }

  /** The dataset's workflow ID: {@code --id}, else one derived from the source. */
  String workflowId(URI sourceUri) {
    return id != null ? id : WorkflowIds.forSource(sourceUri);
  }
}
