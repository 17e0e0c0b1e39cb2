package dev.loupe.activity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.batch.BatchApi;
import dev.loupe.batch.BatchSpool;
import dev.loupe.batch.LineCompletions;
import dev.loupe.batch.SpooledLine;
import dev.loupe.contract.BatchActivities;
import dev.loupe.contract.BatchPoll;
import dev.loupe.contract.BatchRef;
import dev.loupe.contract.FailLinesRequest;
import dev.loupe.contract.FailureType;
import dev.loupe.contract.KeepAliveRequest;
import dev.loupe.contract.LinesEnded;
import dev.loupe.contract.ModelCallResult;
import dev.loupe.contract.SpoolLook;
import dev.loupe.contract.Submission;
import dev.loupe.contract.SubmitRequest;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderException;
import dev.loupe.stage.StageRunner;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch workflow's calls on an endpoint's queue: the spool in the blob store, the provider's
 * batch API, and the completion of each waiting model call by its task token. Delivery assembles
 * each result with {@link StageResults} and prices it with {@link StageRunner}, as online calls
 * are; a line that failed or expired fails its call with the classified failure, so Temporal's
 * retry policy sends it again in a later batch.
 */
public final class BatchActivitiesImpl implements BatchActivities {
  private static final Logger log = LoggerFactory.getLogger(BatchActivitiesImpl.class);
  private static final int HEARTBEAT_EVERY_LINES = 200;

  private final Map<String, BatchApi> apis;
  private final BatchSpool spool;
  private final StageRunner runner;
  private final StageResults results;
  private final LineCompletions completions;
  private final Clock clock;

  public BatchActivitiesImpl(
      Map<String, BatchApi> apis,
      BatchSpool spool,
      StageRunner runner,
      StageResults results,
      LineCompletions completions) {
    this(apis, spool, runner, results, completions, Clock.systemUTC());
  }

  BatchActivitiesImpl(
      Map<String, BatchApi> apis,
      BatchSpool spool,
      StageRunner runner,
      StageResults results,
      LineCompletions completions,
      Clock clock) {
    this.clock = clock;
    this.apis = Map.copyOf(apis);
    this.spool = spool;
    this.runner = runner;
    this.results = results;
    this.completions = completions;
  }

  @Override
  public void probe(BatchRef request) {
    try {
      api(request).probe();
    } catch (ProviderException e) {
      throw ActivityFailures.of(e);
    }
  }

  @Override
  public SpoolLook look(BatchRef request) {
    try {
      BatchSpool.Look look = spool.look(request.spool(), request.endpoint());
      return new SpoolLook(look.lines(), look.bytes());
    } catch (IOException e) {
      throw ActivityFailures.storage("looking at the batch spool", e);
    }
  }

  @Override
  public Submission submit(SubmitRequest request) {
    BatchRef batch = request.batch();
    BatchApi api = api(batch);
    try {
      BatchSpool.Sealed sealed =
          spool.seal(
              batch.spool(),
              batch.endpoint(),
              batch.seq(),
              api,
              Math.min(request.maxRequests(), api.limits().maxRequests()),
              Math.min(request.maxBytes(), api.limits().maxBytes()));
      for (SpooledLine line : sealed.oversized()) {
        fail(
            line,
            ActivityFailures.finalFailure(
                FailureType.BAD_REQUEST,
                "the request is larger than one batch may be ("
                    + Math.min(request.maxBytes(), api.limits().maxBytes())
                    + " bytes)",
                line.attempt()));
      }
      if (sealed.empty()) {
        return new Submission(null, 0);
      }
      int lines = sealed.lines().size();
      Optional<Instant> attempted =
          spool.createAttempted(batch.spool(), batch.endpoint(), batch.seq(), request.key());
      if (attempted.isPresent()) {
        Optional<String> created = api.find(request.key(), lines, attempted.get());
        if (created.isPresent()) {
          log.info("batch {} was created before as {}", request.key(), created.get());
          return new Submission(created.get(), lines);
        }
      }
      spool.markCreateAttempt(
          batch.spool(), batch.endpoint(), batch.seq(), request.key(), clock.instant());
      Path input = Files.createTempFile("loupe-batch-", ".jsonl");
      try {
        spool.download(sealed.input(), input);
        String id = api.create(request.key(), sealed.model(), input, lines);
        log.info("batch {} created as {} with {} lines", request.key(), id, lines);
        return new Submission(id, lines);
      } catch (ProviderException e) {
        return refusal(request.key(), lines, e);
      } finally {
        Files.deleteIfExists(input);
      }
    } catch (ProviderException e) {
      throw ActivityFailures.of(e);
    } catch (IOException e) {
      throw ActivityFailures.storage("sealing batch " + batch.seq(), e);
    }
  }

  /**
   * A create the provider answered with a refusal: for quota (the batch waits and is submitted
   * again) or as invalid (its lines fail with the provider's words). Anything else, a transport
   * failure or a server error, is retried by the activity's policy; the next attempt looks for the
   * batch before creating it.
   */
  private static Submission refusal(String key, int lines, ProviderException e) {
    if (e.type() == FailureType.RATE_LIMITED || e.type() == FailureType.QUOTA_EXHAUSTED) {
      log.warn("batch {} refused for quota: {}", key, e.getMessage());
      return Submission.refused(lines, BatchPoll.State.QUOTA_REFUSED, e.getMessage());
    }
    if (e.type().retryable()) {
      throw ActivityFailures.of(e);
    }
    log.warn("batch {} rejected: {}", key, e.getMessage());
    return Submission.refused(lines, BatchPoll.State.REJECTED, e.getMessage());
  }

  @Override
  public BatchPoll poll(BatchRef request) {
    try {
      BatchApi.Status status = api(request).status(request.batchId());
      return new BatchPoll(status.state(), status.message());
    } catch (ProviderException e) {
      throw ActivityFailures.of(e);
    }
  }

  @Override
  public LinesEnded deliver(BatchRef request) {
    BatchApi api = api(request);
    try {
      Map<String, SpooledLine> lines =
          spool
              .index(request.spool(), request.endpoint(), request.seq())
              .orElseThrow(() -> new IOException("batch " + request.seq() + " has no line index"));
      BatchApi.Status status = api.status(request.batchId());
      Set<String> seen = new HashSet<>();
      int[] ended = new int[2];
      api.results(
          status,
          (customId, body, failure) -> {
            SpooledLine line = lines.get(customId);
            if (line == null) {
              log.warn(
                  "batch {}: ignored a result for unknown line {}", status.batchId(), customId);
              return;
            }
            if (!seen.add(customId)) {
              log.warn("batch {}: ignored a repeated result for {}", status.batchId(), customId);
              return;
            }
            Ended outcome =
                failure == null
                    ? complete(api, line, body)
                    : ended(fail(line, ActivityFailures.of(failure, line.attempt())), Ended.FAILED);
            if (outcome != Ended.BEFORE) {
              ended[outcome == Ended.DONE ? 0 : 1]++;
            }
            if (seen.size() % HEARTBEAT_EVERY_LINES == 0) {
              Activity.getExecutionContext().heartbeat(seen.size());
            }
          });
      for (SpooledLine line : lines.values()) {
        if (!seen.contains(line.customId())) {
          String message =
              "the line has no result in batch " + status.batchId() + " (" + status.state() + ")";
          ApplicationFailure failure =
              status.cancelled()
                  ? ActivityFailures.finalFailure(
                      FailureType.BAD_REQUEST,
                      "batch " + status.batchId() + " was cancelled before the line ran",
                      line.attempt())
                  : ActivityFailures.of(
                      new ProviderException(FailureType.SERVER_ERROR, message), line.attempt());
          if (fail(line, failure)) {
            ended[1]++;
          }
        }
      }
      spool.discardInput(request.spool(), request.endpoint(), request.seq());
      log.info(
          "batch {} delivered: {} done, {} failed, {} lines",
          status.batchId(),
          ended[0],
          ended[1],
          lines.size());
      return new LinesEnded(ended[0], ended[1]);
    } catch (ProviderException e) {
      throw ActivityFailures.of(e);
    } catch (IOException e) {
      throw ActivityFailures.storage("delivering batch " + request.seq(), e);
    }
  }

  @Override
  public LinesEnded failLines(FailLinesRequest request) {
    BatchRef batch = request.batch();
    try {
      List<SpooledLine> lines =
          batch.seq() < 0
              ? spool.pendingLines(batch.spool(), batch.endpoint())
              : new ArrayList<>(
                  spool
                      .index(batch.spool(), batch.endpoint(), batch.seq())
                      .orElse(Map.of())
                      .values());
      int failed = 0;
      for (SpooledLine line : lines) {
        if (fail(
            line,
            ActivityFailures.finalFailure(
                FailureType.BAD_REQUEST, request.message(), line.attempt()))) {
          failed++;
        }
      }
      if (batch.seq() < 0) {
        spool.removePending(
            batch.spool(), batch.endpoint(), lines.stream().map(SpooledLine::customId).toList());
      } else {
        spool.discardInput(batch.spool(), batch.endpoint(), batch.seq());
      }
      return new LinesEnded(0, failed);
    } catch (IOException e) {
      throw ActivityFailures.storage("failing the lines of batch " + batch.seq(), e);
    }
  }

  @Override
  public int keepAlive(KeepAliveRequest request) {
    BatchRef spoolRef = request.spool();
    try {
      List<SpooledLine> lines =
          new ArrayList<>(spool.pendingLines(spoolRef.spool(), spoolRef.endpoint()));
      for (int seq : request.openSeqs()) {
        lines.addAll(
            spool.index(spoolRef.spool(), spoolRef.endpoint(), seq).orElse(Map.of()).values());
      }
      int alive = 0;
      for (SpooledLine line : lines) {
        if (completions.heartbeat(token(line))) {
          alive++;
        }
        if (alive % HEARTBEAT_EVERY_LINES == 0) {
          Activity.getExecutionContext().heartbeat(alive);
        }
      }
      return alive;
    } catch (IOException e) {
      throw ActivityFailures.storage("reading the batch spool", e);
    }
  }

  @Override
  public void cancel(BatchRef request) {
    try {
      api(request).cancel(request.batchId());
    } catch (ProviderException e) {
      throw ActivityFailures.of(e);
    }
  }

  /** How a delivery ended a line's call: completed, failed, or it had ended before. */
  private enum Ended {
    DONE,
    FAILED,
    BEFORE
  }

  private static Ended ended(boolean now, Ended how) {
    return now ? how : Ended.BEFORE;
  }

  private Ended complete(BatchApi api, SpooledLine line, JsonNode body) {
    ModelCallResult result;
    try {
      ModelResponse response =
          api.read(body, line.model(), line.schemaNameOrNull(), line.maxOutputTokens());
      StageRunner.Output output =
          runner.output(line.stage(), line.endpoint(), line.model(), line.template(), response);
      result = results.assemble(ApiMethod.valueOf(line.method()), output, line.questions());
    } catch (ProviderException e) {
      return ended(fail(line, ActivityFailures.of(e, line.attempt())), Ended.FAILED);
    }
    return ended(completions.complete(token(line), result), Ended.DONE);
  }

  private boolean fail(SpooledLine line, ApplicationFailure failure) {
    return completions.fail(token(line), failure);
  }

  private static byte[] token(SpooledLine line) {
    return Base64.getDecoder().decode(line.taskToken());
  }

  private BatchApi api(BatchRef request) {
    BatchApi api = apis.get(request.endpoint());
    if (api == null) {
      throw ActivityFailures.invalidRequest(
          "endpoint '"
              + request.endpoint()
              + "' has no batch API on this worker: the batch lane needs an openai, anthropic or"
              + " gemini endpoint");
    }
    return api;
  }
}
