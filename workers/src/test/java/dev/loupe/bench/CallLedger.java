package dev.loupe.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What {@link FakeBenchEndpoint} was asked and what it answered: every request keyed by the image
 * it carried (a digest of the image URL) and the kind of call (describe, ask, answer, …), so that a
 * call paid twice for the same image and stage is visible; HTTP statuses; calls in flight; and the
 * time of every paid answer, for rates over a window. Thread-safe.
 */
public final class CallLedger {
  /** The key prefix of calls that carried no image. */
  static final String TEXT_ONLY = "text:";

  private final Map<String, Entry> byKey = new ConcurrentHashMap<>();
  private final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> byKind = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final LongAdder received = new LongAdder();
  private final LongAdder paid = new LongAdder();
  private final LongAdder busyNanos = new LongAdder();
  private final AtomicLong firstReceivedAt = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastAnsweredAt = new AtomicLong(Long.MIN_VALUE);
  private final List<Long> paidAt = new ArrayList<>();

  private static final class Entry {
    final AtomicInteger received = new AtomicInteger();
    final AtomicInteger paid = new AtomicInteger();
  }

  /** A request arrived; returns its arrival time for {@link #answered}. */
  long received(String key) {
    long now = System.nanoTime();
    firstReceivedAt.accumulateAndGet(now, Math::min);
    received.increment();
    byKey.computeIfAbsent(key, k -> new Entry()).received.incrementAndGet();
    int current = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(current, Math::max);
    return now;
  }

  /**
   * The answer went out (or the connection broke).
   *
   * @param paidCall a complete 200 the provider would bill
   */
  void answered(String key, String kind, int status, boolean paidCall, long receivedAt) {
    long now = System.nanoTime();
    inFlight.decrementAndGet();
    busyNanos.add(now - receivedAt);
    lastAnsweredAt.accumulateAndGet(now, Math::max);
    byStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
    if (paidCall) {
      paid.increment();
      byKind.computeIfAbsent(kind, k -> new LongAdder()).increment();
      byKey.get(key).paid.incrementAndGet();
      synchronized (paidAt) {
        paidAt.add(now);
      }
    }
  }

  public int inFlight() {
    return inFlight.get();
  }

  public long received() {
    return received.sum();
  }

  public long paid() {
    return paid.sum();
  }

  /** Answers with this HTTP status so far. */
  public long status(int status) {
    LongAdder count = byStatus.get(status);
    return count == null ? 0 : count.sum();
  }

  /**
   * Paid calls beyond the first for the same image and kind: what a retry or a crash re-paid. Calls
   * without an image are left out: the benchmark workload attaches the image to every call, so they
   * are a tool's own probes (Curator asks a model for its rate-limit headers, for example).
   */
  public long repaid() {
    long repaid = 0;
    for (Map.Entry<String, Entry> entry : byKey.entrySet()) {
      if (!entry.getKey().startsWith(TEXT_ONLY)) {
        repaid += Math.max(0, entry.getValue().paid.get() - 1);
      }
    }
    return repaid;
  }

  /** Paid calls that carried no image. */
  public long textOnlyPaid() {
    return byKey.entrySet().stream()
        .filter(entry -> entry.getKey().startsWith(TEXT_ONLY))
        .mapToLong(entry -> entry.getValue().paid.get())
        .sum();
  }

  /**
   * Paid answers per second over the middle of the run (from 10 % to 90 % of the time from the
   * first request to the last answer), leaving out the ramp-up and the drain.
   */
  public double steadyPaidPerSecond() {
    List<Long> times = paidAt();
    long first = firstReceivedAt.get();
    long last = lastAnsweredAt.get();
    if (times.isEmpty() || last <= first) {
      return 0;
    }
    long from = first + (last - first) / 10;
    long to = last - (last - first) / 10;
    long count = times.stream().filter(t -> t >= from && t <= to).count();
    return count / ((to - from) / 1e9);
  }

  /** Distinct (image, kind) pairs that got at least one paid answer. */
  public long paidKeys() {
    return byKey.values().stream().filter(e -> e.paid.get() > 0).count();
  }

  /** {@link System#nanoTime()} of every paid answer, in order. */
  public List<Long> paidAt() {
    synchronized (paidAt) {
      List<Long> copy = new ArrayList<>(paidAt);
      copy.sort(null);
      return copy;
    }
  }

  /** Forgets everything (between runs of one benchmark). */
  public void reset() {
    byKey.clear();
    byStatus.clear();
    byKind.clear();
    maxInFlight.set(inFlight.get());
    received.reset();
    paid.reset();
    busyNanos.reset();
    firstReceivedAt.set(Long.MAX_VALUE);
    lastAnsweredAt.set(Long.MIN_VALUE);
    synchronized (paidAt) {
      paidAt.clear();
    }
  }

  /** The figures, as JSON-ready maps. */
  public Map<String, Object> snapshot() {
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("received", received());
    stats.put("paid", paid());
    stats.put("repaid", repaid());
    stats.put("paid_keys", paidKeys());
    stats.put("text_only_paid", textOnlyPaid());
    stats.put("in_flight", inFlight.get());
    stats.put("max_in_flight", maxInFlight.get());
    stats.put("busy_seconds", busyNanos.sum() / 1e9);
    long first = firstReceivedAt.get();
    long last = lastAnsweredAt.get();
    stats.put("span_seconds", first == Long.MAX_VALUE || last < first ? 0 : (last - first) / 1e9);
    Map<String, Long> statuses = new LinkedHashMap<>();
    byStatus.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> statuses.put(Integer.toString(e.getKey()), e.getValue().sum()));
    stats.put("by_status", statuses);
    Map<String, Long> kinds = new LinkedHashMap<>();
    byKind.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> kinds.put(e.getKey(), e.getValue().sum()));
    stats.put("paid_by_kind", kinds);
    return stats;
  }

  /** Seconds from the first request received to the last answer sent. */
  public double spanSeconds() {
    long first = firstReceivedAt.get();
    long last = lastAnsweredAt.get();
    return first == Long.MAX_VALUE || last < first ? 0 : (last - first) / 1e9;
  }

  /** Sum over requests of the time each was being served, in seconds. */
  public double busySeconds() {
    return busyNanos.sum() / 1e9;
  }

  public int maxInFlight() {
    return maxInFlight.get();
  }
}
