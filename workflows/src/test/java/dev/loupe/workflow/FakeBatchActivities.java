package dev.loupe.workflow;

import dev.loupe.contract.BatchActivities;
import dev.loupe.contract.BatchPoll;
import dev.loupe.contract.BatchRef;
import dev.loupe.contract.FailLinesRequest;
import dev.loupe.contract.KeepAliveRequest;
import dev.loupe.contract.LinesEnded;
import dev.loupe.contract.SpoolLook;
import dev.loupe.contract.Submission;
import dev.loupe.contract.SubmitRequest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake batch API and spool: lines wait as a count; a sealed seq keeps its lines whatever round
 * submits it; polls follow a per-seq script (then ENDED); calls are recorded for assertions.
 */
final class FakeBatchActivities implements BatchActivities {
  final AtomicInteger waiting = new AtomicInteger();
  final Map<Integer, Integer> sealed = new ConcurrentHashMap<>();
  final List<String> submittedKeys = new CopyOnWriteArrayList<>();
  final List<Integer> delivered = new CopyOnWriteArrayList<>();
  final List<FailLinesRequest> failed = new CopyOnWriteArrayList<>();
  final List<String> cancelled = new CopyOnWriteArrayList<>();
  final Map<Integer, Deque<BatchPoll>> script = new ConcurrentHashMap<>();
  volatile boolean endWhenCancelled;

  /** Creates refused by the provider, in order, before creates succeed again. */
  final Deque<BatchPoll.State> createRefusals = new java.util.concurrent.ConcurrentLinkedDeque<>();

  /** Polls of {@code seq} answer {@code states} in order, then ENDED. */
  void script(int seq, BatchPoll.State... states) {
    Deque<BatchPoll> polls = new ArrayDeque<>();
    for (BatchPoll.State state : states) {
      polls.add(new BatchPoll(state, state == BatchPoll.State.RUNNING ? null : "fake " + state));
    }
    script.put(seq, polls);
  }

  @Override
  public void probe(BatchRef request) {}

  @Override
  public SpoolLook look(BatchRef request) {
    return new SpoolLook(waiting.get(), waiting.get() * 100L);
  }

  @Override
  public synchronized Submission submit(SubmitRequest request) {
    int seq = request.batch().seq();
    Integer lines = sealed.get(seq);
    if (lines == null) {
      lines = Math.min(waiting.get(), request.maxRequests());
      if (lines == 0) {
        return new Submission(null, 0);
      }
      waiting.addAndGet(-lines);
      sealed.put(seq, lines);
    }
    submittedKeys.add(request.key());
    BatchPoll.State refusal = createRefusals.poll();
    if (refusal != null) {
      return Submission.refused(lines, refusal, "fake create refused as " + refusal);
    }
    return new Submission("batch-" + request.key(), lines);
  }

  @Override
  public BatchPoll poll(BatchRef request) {
    if (endWhenCancelled && cancelled.contains(request.batchId())) {
      return new BatchPoll(BatchPoll.State.ENDED, "cancelled");
    }
    Deque<BatchPoll> polls = script.get(request.seq());
    BatchPoll next = polls == null ? null : polls.poll();
    return next == null ? new BatchPoll(BatchPoll.State.ENDED, null) : next;
  }

  @Override
  public LinesEnded deliver(BatchRef request) {
    delivered.add(request.seq());
    return new LinesEnded(sealed.get(request.seq()), 0);
  }

  @Override
  public LinesEnded failLines(FailLinesRequest request) {
    failed.add(request);
    if (request.batch().seq() < 0) {
      return new LinesEnded(0, waiting.getAndSet(0));
    }
    return new LinesEnded(0, sealed.get(request.batch().seq()));
  }

  /** Each keep-alive's open batches, in order. */
  final List<List<Integer>> keptAlive = new CopyOnWriteArrayList<>();

  @Override
  public int keepAlive(KeepAliveRequest request) {
    keptAlive.add(request.openSeqs());
    return waiting.get();
  }

  @Override
  public void cancel(BatchRef request) {
    cancelled.add(request.batchId());
  }
}
