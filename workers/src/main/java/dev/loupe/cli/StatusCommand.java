package dev.loupe.cli;

import dev.loupe.config.EndpointSettings;
import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.BatchProgress;
import dev.loupe.contract.BatchWorkflow;
import dev.loupe.contract.Counts;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.Progress;
import dev.loupe.embedded.RemoteTemporal;
import dev.loupe.workflow.DatasetDetails;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * Prints a dataset's progress: the bar, and the counts, tokens and cost that the Temporal UI shows
 * as the workflow's details; what to do when it waits for a decision on failed images; links.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show a dataset's progress: counts, tokens, cost, and what it waits for.")
final class StatusCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "WORKFLOW_ID")
  String workflowId;

  @Mixin CommonOptions common;

  @Override
  public Integer call() throws Exception {
    LoupeConfig config = common.load();
    try (RemoteTemporal temporal = RemoteTemporal.connect(config.temporal(), System.getenv())) {
      WorkflowStub stub = temporal.client().newUntypedWorkflowStub(workflowId);
      WorkflowExecutionStatus status;
      try {
        status = stub.describe().getStatus();
      } catch (WorkflowNotFoundException missing) {
        throw new UserError("no workflow " + workflowId + " in this namespace");
      }
      PrintStream out = System.out;
      if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
        // A completed dataset answers from its result: no worker needs to be running.
        print(out, completed(stub.getResult(10, TimeUnit.SECONDS, DatasetResult.class)));
      } else if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        try {
          print(out, stub.query("progress", Progress.class));
        } catch (WorkflowException noAnswer) {
          throw new UserError(
              workflowId
                  + " is running, but no worker answered its progress query ("
                  + Summary.rootMessage(noAnswer)
                  + "): is a `loupe worker --pool workflows` running?");
        }
      } else {
        out.println(workflowId + ": " + statusName(status));
        try {
          print(out, stub.query("progress", Progress.class));
        } catch (WorkflowException noAnswer) {
          out.println("(no progress: " + Summary.rootMessage(noAnswer) + ")");
        }
      }
      if (status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
        printBatchLanes(out, temporal, config);
      }
      String link = temporal.workflowLink(workflowId);
      if (link != null) {
        out.println("Temporal UI: " + link);
        out.println("image workflows: " + imageWorkflowsLink(temporal, workflowId));
      }
    }
    return 0;
  }

  private void print(PrintStream out, Progress progress) {
    out.println(ProgressBar.render(progress));
    out.printf(
        Locale.ROOT,
        "state: %s%s%n",
        progress.state(),
        progress.retryRound() > 0 ? " (retry round " + progress.retryRound() + ")" : "");
    out.printf(
        Locale.ROOT,
        "images: %,d%s · %,d done · %,d accepted · %,d rejected · %,d failed · %,d in flight%n",
        progress.total(),
        progress.listingDone() ? "" : "+ (listing)",
        progress.done(),
        progress.accepted(),
        progress.rejected(),
        progress.failed(),
        progress.inFlight());
    out.printf(
        Locale.ROOT,
        "QA pairs accepted: %,d · tokens: %,d in / %,d out · cost: $%.4f%n",
        progress.qaAccepted(),
        progress.inputTokens(),
        progress.outputTokens(),
        progress.costUsd());
    if (progress.output() != null) {
      out.println("output: " + progress.output());
    }
    if (progress.weight() != null) {
      out.println("share of the pools: " + DatasetDetails.share(progress));
    }
    if (progress.message() != null && !progress.message().isEmpty()) {
      out.println(progress.message());
    }
    if (Progress.WAITING.equals(progress.state())) {
      out.printf(
          Locale.ROOT,
          "%,d images failed (see failed.jsonl). `loupe retry-failed %s` runs them again;"
              + " the run waits until %s, or until the update `finish`.%n",
          progress.failed(),
          workflowId,
          progress.waitingUntil());
    }
  }

  /** The dataset's batch lanes, one line per endpoint that has one. */
  private void printBatchLanes(PrintStream out, RemoteTemporal temporal, LoupeConfig config) {
    for (Map.Entry<String, EndpointSettings> endpoint : config.endpoints().entrySet()) {
      if (endpoint.getValue().batchSettings().isEmpty()) {
        continue;
      }
      String laneId = BatchWorkflow.workflowId(workflowId, endpoint.getKey());
      WorkflowStub lane = temporal.client().newUntypedWorkflowStub(laneId);
      try {
        lane.describe();
      } catch (WorkflowNotFoundException none) {
        continue;
      }
      try {
        BatchProgress batches = lane.query(BatchWorkflow.BATCHES, BatchProgress.class);
        out.printf(
            Locale.ROOT,
            "batch lane %s: %s · %,d batches open · %,d lines waiting · %,d submitted · %,d done"
                + " · %,d failed · oldest batch %,d s%n",
            endpoint.getKey(),
            batches.state(),
            batches.batchesOpen(),
            batches.linesWaiting(),
            batches.linesSubmitted(),
            batches.linesDone(),
            batches.linesFailed(),
            batches.oldestBatchAgeSeconds());
      } catch (WorkflowException noAnswer) {
        out.println(
            "batch lane "
                + endpoint.getKey()
                + ": (no answer: "
                + Summary.rootMessage(noAnswer)
                + ")");
      }
    }
  }

  /** A completed dataset's result in the shape of its last progress. */
  private static Progress completed(DatasetResult result) {
    Counts counts = result.counts();
    return new Progress(
        Progress.COMPLETED,
        counts.listed(),
        true,
        counts.done(),
        counts.accepted(),
        counts.rejected(),
        counts.failed(),
        0,
        counts.qaAccepted(),
        counts.inputTokens(),
        counts.outputTokens(),
        counts.costUsd(),
        0,
        result.message(),
        0,
        result.output(),
        null);
  }

  private static String statusName(WorkflowExecutionStatus status) {
    return status.name().replace("WORKFLOW_EXECUTION_STATUS_", "").toLowerCase(Locale.ROOT);
  }

  private static String imageWorkflowsLink(RemoteTemporal temporal, String datasetId) {
    return temporal.uiUrl()
        + "/namespaces/"
        + temporal.client().getOptions().getNamespace()
        + "/workflows?query="
        + java.net.URLEncoder.encode(
            "LoupeDataset=\"" + datasetId + "\"", java.nio.charset.StandardCharsets.UTF_8);
  }
}
