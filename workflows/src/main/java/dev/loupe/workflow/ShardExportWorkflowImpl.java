package dev.loupe.workflow;

import dev.loupe.contract.CpuActivities;
import dev.loupe.contract.ShardExportRequest;
import dev.loupe.contract.ShardExportWorkflow;
import dev.loupe.contract.ShardPlan;
import dev.loupe.contract.ShardPlanRequest;
import dev.loupe.contract.ShardRequest;
import dev.loupe.contract.ShardResult;
import dev.loupe.contract.ShardTuning;
import dev.loupe.contract.ShardsFinishRequest;
import dev.loupe.contract.ShardsResult;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans the shards, writes each (format, shard) pair with one CPU activity, at most {@code
 * parallel} at a time, and finishes. State is the plan's counts and the next task's number; every
 * {@code tasksBeforeContinue} tasks it waits for those in flight and continues as new, so its
 * history stays small whatever the number of shards. A shard whose worker died is retried by
 * Temporal and rewritten whole. Both knobs are fixed for the run ({@link RunKnobs}).
 */
public final class ShardExportWorkflowImpl implements ShardExportWorkflow {
  /** Change id: a run records its tuning and keeps it. */
  static final String TUNING_FIXED = "shard-tuning-fixed";

  private final CpuActivities cpu = ActivityStubs.shards();
  private final ShardTuning workerTuning;

  public ShardExportWorkflowImpl() {
    this(ShardTuning.DEFAULT);
  }

  ShardExportWorkflowImpl(ShardTuning tuning) {
    this.workerTuning = tuning;
  }

  @Override
  public ShardsResult export(ShardExportRequest request) {
    ShardTuning tuning =
        RunKnobs.fixed(TUNING_FIXED, ShardTuning.class, request.tuning(), workerTuning);
    int parallel = tuning.parallel();
    int tasksBeforeContinue = tuning.tasksBeforeContinue();
    ShardPlan plan = request.plan();
    if (plan == null) {
      plan =
          ActivityStubs.export()
              .planShards(
                  new ShardPlanRequest(
                      request.output(),
                      request.conversation(),
                      request.formats(),
                      request.options()));
    }
    int total = plan.shards() * request.formats().size();
    List<Promise<ShardResult>> inFlight = new ArrayList<>();
    int started = 0;
    for (int task = request.nextTask(); task < total; task++) {
      if (started == tasksBeforeContinue) {
        awaitAll(inFlight);
        Workflow.continueAsNew(request.continuingAt(plan, task, tuning));
      }
      while (inFlight.size() >= parallel) {
        Promise.anyOf(inFlight).get();
        awaitCompleted(inFlight);
      }
      String format = request.formats().get(task / plan.shards());
      int index = task % plan.shards();
      inFlight.add(
          Async.function(
              cpu::writeShard,
              new ShardRequest(request.output(), format, index, request.options())));
      started++;
    }
    awaitAll(inFlight);
    return ActivityStubs.export()
        .finishShards(new ShardsFinishRequest(request.output(), request.formats(), plan));
  }

  /** Removes the completed promises, raising the failure of one that failed. */
  private static void awaitCompleted(List<Promise<ShardResult>> inFlight) {
    for (Promise<ShardResult> promise : List.copyOf(inFlight)) {
      if (promise.isCompleted()) {
        promise.get();
        inFlight.remove(promise);
      }
    }
  }

  private static void awaitAll(List<Promise<ShardResult>> inFlight) {
    for (Promise<ShardResult> promise : inFlight) {
      promise.get();
    }
    inFlight.clear();
  }
}
