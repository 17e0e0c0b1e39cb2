package dev.loupe.provider.fake;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The bookkeeping of a fake provider batch API, apart from its wire shapes: batches created with
 * their lines, moved on at each poll, cancelled, and answered line by line when they end (each
 * line's request answered as the fake answers an online call). Lines can be made to fail or expire,
 * batches to run slowly, and creates to be rejected or refused for quota. Counts every line
 * received per custom ID, so tests can assert that each line was submitted once.
 */
public final class FakeBatchBook implements FakeBatches {
  /** One line's answer: an HTTP status and body, as an online call would get. */
  public record LineAnswer(int status, JsonNode body) {}

  /** One line of a batch. */
  public record Line(String customId, JsonNode request) {}

  /** How a line ended: answered, expired, or never run because the batch was cancelled. */
  public record Result(String customId, LineAnswer answer, boolean expired, boolean cancelled) {}

  /** What a create met: nothing, a rejection or a quota refusal, with the provider's words. */
  public record Refusal(boolean quota, String message) {}

  /** A batch. */
  public static final class Batch {
    public final String id;
    public final String key;
    public final long createdAtMillis;
    public final List<Line> lines;
    private int polls;
    private boolean cancelRequested;
    private List<Result> results;

    Batch(String id, String key, long createdAtMillis, List<Line> lines) {
      this.id = id;
      this.key = key;
      this.createdAtMillis = createdAtMillis;
      this.lines = lines;
    }

    public boolean ended() {
      return results != null;
    }

    public boolean cancelRequested() {
      return cancelRequested;
    }

    /** The lines' results once ended, else null. */
    public List<Result> results() {
      return results;
    }
  }

  private final String idPrefix;
  private final Function<Line, LineAnswer> answer;
  private final BiFunction<Integer, String, JsonNode> errorBody;
  private final Map<String, Batch> batches = new LinkedHashMap<>();
  private final Map<String, AtomicInteger> linesReceived = new LinkedHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private Function<String, Optional<LineFate>> lineRule = id -> Optional.empty();
  private int pollsBeforeDone;
  private String rejectNext;
  private int quotaRefusals;

  /**
   * @param idPrefix the provider's batch ID prefix, e.g. {@code msgbatch_}
   * @param answer answers a line's request as an online call
   * @param errorBody the provider's error body for an HTTP status and message
   */
  public FakeBatchBook(
      String idPrefix,
      Function<Line, LineAnswer> answer,
      BiFunction<Integer, String, JsonNode> errorBody) {
    this.idPrefix = idPrefix;
    this.answer = answer;
    this.errorBody = errorBody;
  }

  @Override
  public synchronized Map<String, Integer> linesReceived() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    linesReceived.forEach((id, count) -> counts.put(id, count.get()));
    return counts;
  }

  @Override
  public synchronized int batchesCreated() {
    return batches.size();
  }

  @Override
  public synchronized void setLineRule(Function<String, Optional<LineFate>> rule) {
    this.lineRule = rule;
  }

  @Override
  public synchronized void setPollsBeforeDone(int polls) {
    this.pollsBeforeDone = polls;
  }

  @Override
  public synchronized void rejectNextBatch(String message) {
    this.rejectNext = message;
  }

  @Override
  public synchronized void refuseNextBatchesForQuota(int count) {
    this.quotaRefusals = count;
  }

  /** The refusal the next create meets, consumed; empty when it is accepted. */
  public synchronized Optional<Refusal> refusal() {
    if (rejectNext != null) {
      String message = rejectNext;
      rejectNext = null;
      return Optional.of(new Refusal(false, message));
    }
    if (quotaRefusals > 0) {
      quotaRefusals--;
      return Optional.of(new Refusal(true, "batch enqueued tokens over the limit (fake)"));
    }
    return Optional.empty();
  }

  /** Creates a batch; counts its lines as received. */
  public synchronized Batch create(String key, List<Line> lines) {
    for (Line line : lines) {
      linesReceived.computeIfAbsent(line.customId(), id -> new AtomicInteger()).incrementAndGet();
    }
    Batch batch =
        new Batch(idPrefix + ids.incrementAndGet(), key, System.currentTimeMillis(), lines);
    batches.put(batch.id, batch);
    return batch;
  }

  public synchronized Optional<Batch> get(String id) {
    return Optional.ofNullable(batches.get(id));
  }

  /** The newest {@code limit} batches, newest first. */
  public synchronized List<Batch> newest(int limit) {
    List<Batch> all = new ArrayList<>(batches.values());
    Collections.reverse(all);
    return List.copyOf(all.subList(0, Math.min(limit, all.size())));
  }

  /** A poll: the batch moves on, and ends (answering its lines) after the set number of polls. */
  public synchronized Batch poll(Batch batch) {
    if (batch.ended()) {
      return batch;
    }
    if (batch.cancelRequested) {
      finish(batch, true);
    } else if (++batch.polls > pollsBeforeDone) {
      finish(batch, false);
    }
    return batch;
  }

  public synchronized void cancel(Batch batch) {
    batch.cancelRequested = true;
  }

  private void finish(Batch batch, boolean cancelled) {
    List<Result> results = new ArrayList<>();
    for (Line line : batch.lines) {
      if (cancelled) {
        results.add(new Result(line.customId(), null, false, true));
        continue;
      }
      Optional<LineFate> fate = lineRule.apply(line.customId());
      if (fate.isPresent() && fate.get() instanceof LineFate.Expires) {
        results.add(new Result(line.customId(), null, true, false));
      } else if (fate.isPresent() && fate.get() instanceof LineFate.Fails fails) {
        results.add(
            new Result(
                line.customId(),
                new LineAnswer(fails.status(), errorBody.apply(fails.status(), fails.message())),
                false,
                false));
      } else {
        results.add(new Result(line.customId(), answer.apply(line), false, false));
      }
    }
    batch.results = results;
  }
}
