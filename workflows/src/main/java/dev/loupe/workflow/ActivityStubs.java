package dev.loupe.workflow;

import dev.loupe.contract.ApiActivities;
import dev.loupe.contract.BatchActivities;
import dev.loupe.contract.BatchSettings;
import dev.loupe.contract.CaptionerActivities;
import dev.loupe.contract.CpuActivities;
import dev.loupe.contract.ImageStepActivities;
import dev.loupe.contract.Lane;
import dev.loupe.contract.RunPlan.StagePlan;
import dev.loupe.contract.TaskQueues;
import dev.loupe.contract.WorkflowsActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Activity options, in one place: task queue, timeouts and retry policy of each pool. The retry
 * policy of model calls comes from the worker's configuration ({@link ApiRetry}).
 */
final class ActivityStubs {

  /**
   * Probing, listing, persisting: short, and storage trouble is usually brief. Worker processes
   * heartbeat for them while they run, so the tasks of a worker that dies are retried after the
   * heartbeat timeout rather than the start-to-close.
   */
  static final ActivityOptions CPU =
      ActivityOptions.newBuilder()
          .setTaskQueue(TaskQueues.CPU)
          .setStartToCloseTimeout(Duration.ofMinutes(2))
          .setHeartbeatTimeout(Duration.ofSeconds(30))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setMaximumInterval(Duration.ofSeconds(30))
                  .setMaximumAttempts(6)
                  .build())
          .build();

  /**
   * An image's probe and persist, run by the workflows pool inside the image's workflow task (one
   * history marker each): the CPU pool's timeout and retry policy, no heartbeat (local activities
   * have none; a worker that dies loses its workflow task, and the step runs again on replay).
   */
  static final LocalActivityOptions IMAGE_STEP =
      LocalActivityOptions.newBuilder()
          .setStartToCloseTimeout(CPU.getStartToCloseTimeout())
          .setRetryOptions(CPU.getRetryOptions())
          .build();

  /** Export reads every record and writes the training files; it heartbeats as it goes. */
  static final ActivityOptions EXPORT =
      ActivityOptions.newBuilder(CPU)
          .setStartToCloseTimeout(Duration.ofHours(6))
          .setHeartbeatTimeout(Duration.ofMinutes(2))
          .build();

  /**
   * One WebDataset or Parquet shard: up to about a gigabyte read, encoded and uploaded. Worker
   * processes heartbeat for it, so a killed worker's shard is retried (and rewritten whole) after
   * the heartbeat timeout.
   */
  static final ActivityOptions SHARD =
      ActivityOptions.newBuilder(CPU).setStartToCloseTimeout(Duration.ofHours(2)).build();

  /**
   * The GPU captioner. A host that dies stops heartbeating, so its items are retried on another
   * host within the heartbeat timeout rather than the whole start-to-close.
   */
  static final ActivityOptions CAPTIONER =
      ActivityOptions.newBuilder()
          .setTaskQueue(TaskQueues.CAPTIONER)
          .setStartToCloseTimeout(Duration.ofMinutes(10))
          .setHeartbeatTimeout(Duration.ofSeconds(30))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(2))
                  .setMaximumInterval(Duration.ofMinutes(1))
                  .setMaximumAttempts(8)
                  .build())
          .build();

  /**
   * Looking up image workflows on the server, from the workflows pool: a few hundred describe calls
   * at most: the CPU pool's timeout and retry policy (the server itself may be briefly
   * unreachable), without its heartbeat.
   */
  static final ActivityOptions WORKFLOWS =
      ActivityOptions.newBuilder(CPU)
          .setTaskQueue(TaskQueues.WORKFLOWS)
          .setHeartbeatTimeout(null)
          .build();

  /** API workers heartbeat every 5 s while a call waits; a dead worker is noticed after this. */
  static final Duration API_HEARTBEAT_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Flex-lane calls may take many minutes (the endpoint's flex call timeout is at most 19): they
   * heartbeat like the others, so a dead worker is still noticed after the heartbeat timeout.
   */
  static final Duration FLEX_START_TO_CLOSE = Duration.ofMinutes(20);

  /**
   * A provider batch answers within its 24 h completion window; a model call in the batch lane
   * waits that long (its line is completed by the batch workflow), plus a margin for queueing and
   * delivery.
   */
  static final Duration BATCH_LINE_TIMEOUT = Duration.ofHours(26);

  /**
   * The batch workflow's provider calls: short, except delivery, which heartbeats as it completes
   * each line. Storage and provider trouble is retried; the lines wait in the meantime.
   */
  static final ActivityOptions BATCH =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofHours(1))
          .setHeartbeatTimeout(Duration.ofMinutes(2))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(2))
                  .setMaximumInterval(Duration.ofMinutes(2))
                  .build())
          .build();

  /** The start-time check that the endpoint's key may use batches: a refusal fails the start. */
  static final ActivityOptions BATCH_PROBE =
      ActivityOptions.newBuilder(BATCH)
          .setStartToCloseTimeout(Duration.ofMinutes(2))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(2))
                  .setMaximumAttempts(5)
                  .build())
          .build();

  /**
   * The start-time check that the perplexity check's endpoint returns prompt log-probabilities: a
   * few attempts (a server that is still starting), then the start fails naming the endpoint.
   */
  static final ActivityOptions SCORE_PROBE =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(2))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(2))
                  .setMaximumInterval(Duration.ofSeconds(20))
                  .setMaximumAttempts(5)
                  .build())
          .build();

  private final ActivityOptions api;
  private final ApiRetry retry;
  private final Map<String, BatchSettings> lanes;
  private final Map<String, ApiActivities> apiByEndpoint = new HashMap<>();
  private final Map<String, ApiActivities> flexByEndpoint = new HashMap<>();
  private final Map<String, ApiActivities> batchLineByEndpoint = new HashMap<>();

  /**
   * @param lanes the plan's batch lanes by endpoint, whose settings hold the heartbeat timeout of
   *     the calls waiting in them
   */
  ActivityStubs(ApiRetry retry, Map<String, BatchSettings> lanes) {
    this.api = api(retry);
    this.retry = retry;
    this.lanes = lanes;
  }

  /**
   * Model calls in the batch lane: the same activities, completed asynchronously when their batch
   * line's result arrives, heartbeated meanwhile by the batch workflow's keep-alive; one that
   * nobody heartbeats for the lane's {@link BatchSettings#lineHeartbeatTimeout()} (its task was
   * lost before it wrote its line) is retried. A line that fails or expires in its batch fails the
   * attempt, and the retry puts it into a later batch.
   */
  static ActivityOptions batchLine(ApiRetry retry, Duration heartbeatTimeout) {
    return ActivityOptions.newBuilder(api(retry))
        .setStartToCloseTimeout(BATCH_LINE_TIMEOUT)
        .setHeartbeatTimeout(heartbeatTimeout)
        .build();
  }

  static BatchActivities batch(String endpoint) {
    return Workflow.newActivityStub(
        BatchActivities.class,
        ActivityOptions.newBuilder(BATCH).setTaskQueue(TaskQueues.api(endpoint)).build());
  }

  static BatchActivities batchProbe(String endpoint) {
    return Workflow.newActivityStub(
        BatchActivities.class,
        ActivityOptions.newBuilder(BATCH_PROBE).setTaskQueue(TaskQueues.api(endpoint)).build());
  }

  static ApiActivities scoreProbe(String endpoint) {
    return Workflow.newActivityStub(
        ApiActivities.class,
        ActivityOptions.newBuilder(SCORE_PROBE).setTaskQueue(TaskQueues.api(endpoint)).build());
  }

  /** The stub for one endpoint's queue in the lane of {@code stage}. */
  ApiActivities api(String endpoint, StagePlan stage) {
    if (stage.laneOrDefault() == Lane.FLEX) {
      return flexByEndpoint.computeIfAbsent(
          endpoint,
          name ->
              Workflow.newActivityStub(
                  ApiActivities.class,
                  ActivityOptions.newBuilder(api)
                      .setTaskQueue(TaskQueues.api(name))
                      .setStartToCloseTimeout(FLEX_START_TO_CLOSE)
                      .build()));
    }
    if (!stage.inBatch()) {
      return api(endpoint);
    }
    return batchLineByEndpoint.computeIfAbsent(
        endpoint,
        name ->
            Workflow.newActivityStub(
                ApiActivities.class,
                ActivityOptions.newBuilder(batchLine(retry, lineHeartbeatTimeout(name)))
                    .setTaskQueue(TaskQueues.api(name))
                    .build()));
  }

  private Duration lineHeartbeatTimeout(String endpoint) {
    BatchSettings lane = lanes.get(endpoint);
    return lane == null ? BatchSettings.LEGACY_LINE_HEARTBEAT : lane.lineHeartbeatTimeout();
  }

  /**
   * Model calls. The HTTP client's own timeout is shorter than start-to-close; retries are bounded
   * so that an unreachable endpoint ends the item instead of stalling the run, and 429s wait for
   * the provider's hint through {@code nextRetryDelay}. Calls heartbeat while they wait, so the
   * calls of a worker that dies are retried after the heartbeat timeout, not after five minutes.
   */
  static ActivityOptions api(ApiRetry retry) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(5))
        .setHeartbeatTimeout(API_HEARTBEAT_TIMEOUT)
        .setRetryOptions(
            RetryOptions.newBuilder()
                .setInitialInterval(retry.initialInterval())
                .setBackoffCoefficient(2.0)
                .setMaximumInterval(retry.maximumInterval())
                .setMaximumAttempts(retry.maximumAttempts())
                .build())
        .build();
  }

  static CpuActivities cpu() {
    return Workflow.newActivityStub(CpuActivities.class, CPU);
  }

  static ImageStepActivities imageSteps() {
    return Workflow.newLocalActivityStub(ImageStepActivities.class, IMAGE_STEP);
  }

  static WorkflowsActivities workflows() {
    return Workflow.newActivityStub(WorkflowsActivities.class, WORKFLOWS);
  }

  static CaptionerActivities captioner() {
    return Workflow.newActivityStub(CaptionerActivities.class, CAPTIONER);
  }

  static CpuActivities export() {
    return Workflow.newActivityStub(CpuActivities.class, EXPORT);
  }

  static CpuActivities shards() {
    return Workflow.newActivityStub(CpuActivities.class, SHARD);
  }

  /** The stub for one endpoint's queue, made once per workflow execution. */
  ApiActivities api(String endpoint) {
    return apiByEndpoint.computeIfAbsent(
        endpoint,
        name ->
            Workflow.newActivityStub(
                ApiActivities.class,
                ActivityOptions.newBuilder(api).setTaskQueue(TaskQueues.api(name)).build()));
  }
}
