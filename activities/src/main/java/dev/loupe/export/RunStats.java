package dev.loupe.export;

import dev.loupe.contract.Counts;
import dev.loupe.contract.ModelCall;
import dev.loupe.contract.QaPair;
import dev.loupe.record.ItemRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Accumulates {@code stats.json} over the records, in memory independent of their number. */
final class RunStats {
  private long total;
  private long accepted;
  private long rejected;
  private long failed;
  private long qaAccepted;
  private long inputTokens;
  private long outputTokens;
  private double costUsd;
  private final Map<String, Long> rejectedByReason = new TreeMap<>();
  private final Map<String, StageStats> byStage = new LinkedHashMap<>();
  private final Map<String, LaneStats> byLane = new TreeMap<>();
  private long cachedInputTokens;
  private double savedUsd;

  /** One lane's calls (the response cache counts as the lane {@code cache}). */
  private static final class LaneStats {
    long calls;
    long inputTokens;
    long cachedInputTokens;
    long outputTokens;
    double costUsd;
    double savedUsd;
  }

  /** One lane's totals, for the report. */
  record Lane(String name, long calls, double costUsd, double savedUsd) {}

  private static final class StageStats {
    long calls;
    long inputTokens;
    long outputTokens;
    double costUsd;
    final LatencyHistogram latency = new LatencyHistogram();
  }

  /** One stage's totals and latency percentiles, for the report. */
  record Stage(
      String name,
      long calls,
      long inputTokens,
      long outputTokens,
      double costUsd,
      long p50Millis,
      long p90Millis,
      long p99Millis) {}

  void add(ItemRecord record) {
    total++;
    switch (record.imageStatus()) {
      case ACCEPTED -> accepted++;
      case REJECTED -> {
        rejected++;
        rejectedByReason.merge(
            record.reason() == null ? "unknown" : record.reason(), 1L, Long::sum);
      }
      case FAILED -> failed++;
    }
    for (QaPair pair : record.qaOrEmpty()) {
      if (pair.accepted()) {
        if (record.imageStatus() == dev.loupe.contract.ImageStatus.ACCEPTED) {
          qaAccepted++;
        }
      } else if (record.imageStatus() == dev.loupe.contract.ImageStatus.ACCEPTED) {
        // A rejected pair of an accepted image counts by its failing check.
        pair.checks().entrySet().stream()
            .filter(check -> !check.getValue().pass())
            .map(Map.Entry::getKey)
            .findFirst()
            .ifPresent(check -> rejectedByReason.merge("qa:" + check, 1L, Long::sum));
      }
    }
    if (record.provenance() != null && record.provenance().calls() != null) {
      for (ModelCall call : record.provenance().calls()) {
        StageStats stage = byStage.computeIfAbsent(call.stage(), name -> new StageStats());
        stage.calls++;
        stage.inputTokens += call.usage().inputTokens();
        stage.outputTokens += call.usage().outputTokens();
        stage.costUsd += call.usage().costUsd();
        stage.latency.record(call.latencyMillis());
        inputTokens += call.usage().inputTokens();
        outputTokens += call.usage().outputTokens();
        costUsd += call.usage().costUsd();
        cachedInputTokens += call.usage().cachedInputTokens();
        savedUsd += call.usage().savedUsd();
        LaneStats lane = byLane.computeIfAbsent(call.laneOrDefault(), name -> new LaneStats());
        lane.calls++;
        lane.inputTokens += call.usage().inputTokens();
        lane.cachedInputTokens += call.usage().cachedInputTokens();
        lane.outputTokens += call.usage().outputTokens();
        lane.costUsd += call.usage().costUsd();
        lane.savedUsd += call.usage().savedUsd();
      }
    }
  }

  Counts counts() {
    return new Counts(
        total, accepted, rejected, failed, qaAccepted, inputTokens, outputTokens, costUsd);
  }

  /** Stages in the order their first call was seen (pipeline order, in practice). */
  java.util.List<Stage> stages() {
    return byStage.entrySet().stream()
        .map(
            entry -> {
              StageStats stage = entry.getValue();
              return new Stage(
                  entry.getKey(),
                  stage.calls,
                  stage.inputTokens,
                  stage.outputTokens,
                  stage.costUsd,
                  stage.latency.percentile(0.50),
                  stage.latency.percentile(0.90),
                  stage.latency.percentile(0.99));
            })
        .toList();
  }

  /** Lanes in name order, with the response cache as {@code cache}. */
  java.util.List<Lane> lanes() {
    return byLane.entrySet().stream()
        .map(
            entry ->
                new Lane(
                    entry.getKey(),
                    entry.getValue().calls,
                    entry.getValue().costUsd,
                    entry.getValue().savedUsd))
        .toList();
  }

  /** What cheaper lanes, the provider's prompt cache and the response cache saved. */
  double savedUsd() {
    return savedUsd;
  }

  /** Rejection counts by reason; QA pairs rejected within accepted images as {@code qa:<check>}. */
  Map<String, Long> rejectedByReason() {
    return java.util.Collections.unmodifiableMap(rejectedByReason);
  }

  Map<String, Object> toJson(double wallSeconds) {
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("images_total", total);
    stats.put("images_accepted", accepted);
    stats.put("images_rejected", rejected);
    stats.put("images_failed", failed);
    stats.put("qa_accepted", qaAccepted);
    stats.put("rejected_by_reason", rejectedByReason);
    stats.put(
        "tokens",
        Map.of("input", inputTokens, "output", outputTokens, "cached_input", cachedInputTokens));
    stats.put("cost_usd", costUsd);
    stats.put("saved_usd", savedUsd);
    LaneStats cached = byLane.get(ModelCall.CACHE);
    stats.put(
        "cache",
        Map.of(
            "calls", cached == null ? 0L : cached.calls,
            "saved_usd", cached == null ? 0.0 : cached.savedUsd));
    Map<String, Object> lanes = new LinkedHashMap<>();
    byLane.forEach(
        (name, lane) -> {
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("calls", lane.calls);
          entry.put(
              "tokens",
              Map.of(
                  "input",
                  lane.inputTokens,
                  "cached_input",
                  lane.cachedInputTokens,
                  "output",
                  lane.outputTokens));
          entry.put("cost_usd", lane.costUsd);
          entry.put("saved_usd", lane.savedUsd);
          lanes.put(name, entry);
        });
    stats.put("by_lane", lanes);
    Map<String, Object> stages = new LinkedHashMap<>();
    byStage.forEach(
        (name, stage) -> {
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("calls", stage.calls);
          entry.put("tokens", Map.of("input", stage.inputTokens, "output", stage.outputTokens));
          entry.put("cost_usd", stage.costUsd);
          entry.put("p50_ms", stage.latency.percentile(0.50));
          entry.put("p99_ms", stage.latency.percentile(0.99));
          stages.put(name, entry);
        });
    stats.put("by_stage", stages);
    stats.put("wall_seconds", wallSeconds);
    return stats;
  }
}
