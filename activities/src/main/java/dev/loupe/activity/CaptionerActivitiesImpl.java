package dev.loupe.activity;

import dev.loupe.contract.CaptionResult;
import dev.loupe.contract.CaptionerActivities;
import dev.loupe.contract.DescribeRequest;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.RunPlan.StagePlan;
import dev.loupe.stage.PromptValues;
import dev.loupe.stage.StageRunner;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The GPU pool's describe: a caption from the model this worker hosts, called as the endpoint
 * {@value #ENDPOINT}. The call runs on its own virtual thread while the activity heartbeats, so a
 * generation queued behind a full batch never looks like a dead host, while a host that does die
 * stops heartbeating and its captions are retried elsewhere within the heartbeat timeout.
 *
 * <p>The worker runs more caption activities than the server batches ({@link EngineSlots}): a
 * caption reads and prepares its image, then waits, heartbeating, for a free slot, so that the next
 * one is ready when one ends.
 *
 * <p>A caption that arrives while the server is restarting waits for it, heartbeating, for at most
 * {@code modelWait}; then, or when the worker is stopping past its drain time, it is handed back:
 * failed as a retryable {@code TRANSPORT} failure so that Temporal retries it at once on whichever
 * captioner polls next, instead of after a timeout.
 */
public final class CaptionerActivitiesImpl implements CaptionerActivities {
  /** The endpoint name captioner calls are recorded under. */
  public static final String ENDPOINT = "captioner";

  private final StageRunner runner;
  private final HostedModel model;
  private final Duration modelWait;
  private final Duration heartbeatEvery;
  private final EngineSlots slots;
  private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

  /**
   * @param runner runs the stage against an endpoint named {@value #ENDPOINT} whose client calls
   *     the hosted server
   * @param model the hosted server's state
   * @param modelWait how long a caption waits for a server that does not answer
   * @param heartbeatEvery how often the activity heartbeats while it waits
   * @param slots the server's batch: captions wait here for a free slot, heartbeating
   */
  public CaptionerActivitiesImpl(
      StageRunner runner,
      HostedModel model,
      Duration modelWait,
      Duration heartbeatEvery,
      EngineSlots slots) {
    this.runner = Objects.requireNonNull(runner, "runner");
    this.model = Objects.requireNonNull(model, "model");
    this.modelWait = Objects.requireNonNull(modelWait, "modelWait");
    this.heartbeatEvery = Objects.requireNonNull(heartbeatEvery, "heartbeatEvery");
    this.slots = Objects.requireNonNull(slots, "slots");
  }

  @Override
  public CaptionResult describe(DescribeRequest request) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    try {
      awaitModel(context);
      StagePlan plan = servedBy(request.stage(), model.name());
      StageRunner.Call describe =
          new StageRunner.Call(
              RunPlan.DESCRIBE,
              plan,
              ENDPOINT,
              request.image().sha256(),
              request.image(),
              null,
              request.lang() == null ? "en" : request.lang(),
              PromptValues.create()
                  .with("alt_text", request.altText())
                  .with("ocr", request.ocr())
                  .toMap(),
              null);
      Future<StageRunner.Output> call =
          calls.submit(
              () -> {
                // The image is read and prepared before the caption takes a slot (the runner's
                // prepared-image cache keeps it for the call), so a slot is held only while the
                // server works on the caption.
                runner.prepare(null, describe);
                slots.acquire();
                try {
                  return runner.run(describe);
                } finally {
                  slots.release();
                }
              });
      StageRunner.Output output = awaitCall(call, context);
      return new CaptionResult(output.text().strip(), output.call());
    } catch (InterruptedException e) {
      // The worker is stopping past its drain time (shutdownNow). The interrupt is consumed on
      // purpose: the SDK must still be able to report the hand-back to the server.
      throw HeartbeatingCall.handedBack("the worker stopped before the caption finished");
    }
  }

  private void awaitModel(ActivityExecutionContext context) throws InterruptedException {
    long deadline = System.nanoTime() + modelWait.toNanos();
    while (!model.awaitReady(heartbeatEvery)) {
      HeartbeatingCall.heartbeat(context, null);
      if (System.nanoTime() - deadline > 0) {
        throw HeartbeatingCall.handedBack(
            "the model server at "
                + model.url()
                + " did not answer for "
                + modelWait.toMillis()
                + " ms");
      }
    }
  }

  private StageRunner.Output awaitCall(
      Future<StageRunner.Output> call, ActivityExecutionContext context)
      throws InterruptedException {
    try {
      while (true) {
        try {
          return call.get(heartbeatEvery.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException generating) {
          HeartbeatingCall.heartbeat(context, call);
        }
      }
    } catch (InterruptedException | RuntimeException e) {
      call.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      throw HeartbeatingCall.classify(e.getCause());
    }
  }

  /** The stage as this worker serves it: the recipe's templates, the hosted model's name. */
  private static StagePlan servedBy(StagePlan stage, String modelName) {
    return new StagePlan(
        stage.endpoints(),
        modelName,
        stage.templates(),
        stage.questions(),
        stage.maxOutputTokens(),
        stage.checks(),
        stage.pool());
  }
}
