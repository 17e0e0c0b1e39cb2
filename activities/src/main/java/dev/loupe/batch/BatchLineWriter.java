package dev.loupe.batch;

import dev.loupe.contract.FailureType;
import dev.loupe.contract.RunPlan.StagePlan;
import dev.loupe.image.BadImageException;
import dev.loupe.provider.ProviderException;
import dev.loupe.stage.StageRunner;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * Puts a model call of the batch lane into its endpoint's spool: the request built as the online
 * lane builds it, encoded by the provider's batch API, under a custom ID that every attempt of the
 * call shares, with the attempt's task token.
 */
public final class BatchLineWriter {
  private final StageRunner runner;
  private final Map<String, BatchApi> apis;
  private final BatchSpool spool;
  private final Clock clock;
  private final Set<String> onlineOnLastAttempt;

  /** A writer whose endpoints never send a batch-lane call online. */
  public BatchLineWriter(
      StageRunner runner, Map<String, BatchApi> apis, BatchSpool spool, Clock clock) {
    this(runner, apis, spool, clock, Set.of());
  }

  /**
   * @param onlineOnLastAttempt endpoints whose batch-lane calls make their last attempt online
   */
  public BatchLineWriter(
      StageRunner runner,
      Map<String, BatchApi> apis,
      BatchSpool spool,
      Clock clock,
      Set<String> onlineOnLastAttempt) {
    this.runner = runner;
    this.apis = Map.copyOf(apis);
    this.spool = spool;
    this.clock = clock;
    this.onlineOnLastAttempt = Set.copyOf(onlineOnLastAttempt);
  }

  /**
   * Whether this attempt of a batch-lane call goes online instead: its endpoint falls back to the
   * online lane, and it is the last attempt the retry policy allows (the earlier ones failed or
   * expired in their batches). Without a bound on attempts nothing falls back.
   */
  public boolean sendsOnline(String endpoint, ActivityInfo info) {
    if (!onlineOnLastAttempt.contains(endpoint) || info.getRetryOptions() == null) {
      return false;
    }
    int maximum = info.getRetryOptions().getMaximumAttempts();
    return maximum > 1 && info.getAttempt() >= maximum;
  }

  /**
   * Writes the call as a waiting line.
   *
   * @param method the activity, named in the line so delivery assembles the same result
   */
  public void spool(
      ActivityExecutionContext context,
      Enum<?> method,
      StagePlan stage,
      int questions,
      StageRunner.Call call)
      throws ProviderException, BadImageException, IOException {
    BatchApi api = apis.get(call.endpoint());
    if (api == null) {
      throw new ProviderException(
          FailureType.BAD_REQUEST,
          "endpoint '"
              + call.endpoint()
              + "' has no batch API on this worker (the batch lane needs an openai, anthropic or"
              + " gemini endpoint)");
    }
    if (stage.batchSpool() == null) {
      throw new ProviderException(
          FailureType.BAD_REQUEST,
          "stage " + call.stage() + " is in the batch lane but has no spool");
    }
    StageRunner.Prepared prepared = runner.prepare(null, call);
    ActivityInfo info = context.getInfo();
    SpooledLine line =
        new SpooledLine(
            customId(info.getWorkflowId(), info.getActivityId()),
            Base64.getEncoder().encodeToString(context.getTaskToken()),
            info.getAttempt(),
            method.name(),
            call.stage(),
            call.endpoint(),
            call.plan().model(),
            prepared.template().id(),
            questions,
            call.schema() != null,
            call.plan().maxOutputTokens(),
            api.requestBody(prepared.request()),
            clock.millis(),
            call.schema() == null ? null : call.schema().name());
    spool.put(stage.batchSpool(), line);
  }

  /**
   * The line's ID: the same for every attempt of one activity (workflow ID and activity ID, not the
   * attempt), 32 hex digits, which every provider's custom ID pattern accepts.
   */
  public static String customId(String workflowId, String activityId) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((workflowId + "\n" + activityId).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
