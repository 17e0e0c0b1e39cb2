package dev.loupe.it;

import dev.loupe.contract.ImageResult;
import dev.loupe.contract.ImageTask;
import dev.loupe.contract.ImageWorkflow;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.RunPlan.StagePlan;
import dev.loupe.workflow.ApiRetry;
import dev.loupe.workflow.ImageWorkflowImpl;
import io.temporal.workflow.Workflow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Build B's image workflow, as a release that changes workflow code ships it: every answer is also
 * checked for grammar (one more model call per QA pair). The change is behind the patch {@value
 * #CHANGE_ID}: an image that build A started replays without a marker and keeps A's path; an image
 * whose first workflow task runs on B records version 1 and takes the new one (docs/versioning.md).
 */
public final class GrammarCheckedImageWorkflow implements ImageWorkflow {
  static final String CHANGE_ID = "grammar-check-on-every-answer";
  static final String GRAMMAR = "grammar";

  private final ApiRetry retry;

  public GrammarCheckedImageWorkflow(ApiRetry retry) {
    this.retry = retry;
  }

  @Override
  public ImageResult process(ImageTask task) {
    int version = Workflow.getVersion(CHANGE_ID, Workflow.DEFAULT_VERSION, 1);
    ImageTask run = version == Workflow.DEFAULT_VERSION ? task : withGrammarCheck(task);
    return new ImageWorkflowImpl(retry).process(run);
  }

  /**
   * The task with an evaluate stage that runs the grammar check, on the answer stage's endpoint.
   */
  private static ImageTask withGrammarCheck(ImageTask task) {
    RunPlan plan = task.plan();
    StagePlan answer = plan.stage(RunPlan.ANSWER);
    Map<String, StagePlan> stages = new LinkedHashMap<>(plan.stages());
    stages.put(
        RunPlan.EVALUATE,
        new StagePlan(
            answer.endpoints(),
            answer.model(),
            answer.templates(),
            0,
            256,
            List.of(GRAMMAR),
            answer.pool(),
            answer.lane(),
            answer.cache(),
            answer.batchSpool()));
    RunPlan checked =
        new RunPlan(
            plan.recipe(),
            plan.recipeHash(),
            plan.minShortSide(),
            plan.maxPixels(),
            stages,
            plan.templateHashes(),
            plan.lang(),
            plan.nearDuplicateDistance(),
            plan.checkSettings(),
            plan.imageWorstCaseUsd(),
            plan.batches());
    return new ImageTask(
        task.datasetId(), task.runToken(), task.output(), task.item(), checked, task.signalsDone());
  }
}
