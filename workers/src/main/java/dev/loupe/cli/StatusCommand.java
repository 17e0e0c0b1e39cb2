package dev.loupe.cli;

import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.Progress;
import dev.loupe.embedded.RemoteTemporal;
import io.temporal.client.WorkflowStub;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Prints a dataset's progress. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show a dataset's progress: counts, tokens, cost.")
final class StatusCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "WORKFLOW_ID")
  String workflowId;

  @Mixin CommonOptions common;

  @Override
  public Integer call() throws Exception {
    LoupeConfig config = common.load();
    try (RemoteTemporal temporal =
        new RemoteTemporal(
            config.temporal().address(),
            config.temporal().namespace(),
            config.temporal().uiUrl())) {
      WorkflowStub stub = temporal.client().newUntypedWorkflowStub(workflowId);
      Progress progress = stub.query("progress", Progress.class);
      System.out.println(ProgressBar.render(progress));
      if (progress.message() != null && !progress.message().isEmpty()) {
        System.out.println(progress.message());
      }
    }
    return 0;
  }
}
