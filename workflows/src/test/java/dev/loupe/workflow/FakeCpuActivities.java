package dev.loupe.workflow;

import dev.loupe.contract.Counts;
import dev.loupe.contract.CpuActivities;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.ExportRequest;
import dev.loupe.contract.ExportResult;
import dev.loupe.contract.FailedImage;
import dev.loupe.contract.FailureType;
import dev.loupe.contract.ImageInfo;
import dev.loupe.contract.ImageResult;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.ListFailedRequest;
import dev.loupe.contract.ListSourceRequest;
import dev.loupe.contract.ModelCall;
import dev.loupe.contract.PersistRequest;
import dev.loupe.contract.ProbeRequest;
import dev.loupe.contract.ProbeResult;
import dev.loupe.contract.QaPair;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.ShardPlan;
import dev.loupe.contract.ShardPlanRequest;
import dev.loupe.contract.ShardRequest;
import dev.loupe.contract.ShardResult;
import dev.loupe.contract.ShardsFinishRequest;
import dev.loupe.contract.ShardsResult;
import dev.loupe.contract.SourceItem;
import dev.loupe.contract.SourcePage;
import dev.loupe.contract.Usage;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A fake CPU pool: a source of N generated items, probing by name, records kept in memory. Like the
 * real export, each export snapshots the failed images (its {@code failed.jsonl}), which {@link
 * #listFailed} pages through.
 */
final class FakeCpuActivities implements CpuActivities {
  final List<SourceItem> source = new CopyOnWriteArrayList<>();
  final Set<String> badImages = ConcurrentHashMap.newKeySet();
  final Map<String, PersistRequest> persisted = new ConcurrentHashMap<>();
  final List<PersistRequest> duplicates = new CopyOnWriteArrayList<>();
  final List<ExportRequest> exports = new CopyOnWriteArrayList<>();
  final List<ListFailedRequest> failedListings = new CopyOnWriteArrayList<>();
  final Set<String> failedWhenProbed = ConcurrentHashMap.newKeySet();
  private volatile List<PersistRequest> failedList = List.of();

  final List<ShardPlanRequest> shardPlans = new CopyOnWriteArrayList<>();
  final List<ShardRequest> shardsWritten = new CopyOnWriteArrayList<>();
  final List<ShardsFinishRequest> shardFinishes = new CopyOnWriteArrayList<>();

  /** How many shards a plan has. */
  volatile int shardCount = 3;

  /** Listing the source waits for this latch; tests close it to hold a run while it runs. */
  volatile CountDownLatch listingGate = new CountDownLatch(0);

  volatile RunPlan plan = FakePlans.allava();

  void addImages(int count) {
    for (int i = 0; i < count; i++) {
      source.add(SourceItem.of("file:///images/" + i + ".png", sha(i), 1000));
    }
  }

  static String sha(int i) {
    return String.format("%064x", i + 1);
  }

  @Override
  public RunPlan plan(DatasetRequest request) {
    if ("missing".equals(request.recipeOrDefault())) {
      throw ApplicationFailure.newNonRetryableFailure(
          "unknown recipe 'missing'", FailureType.INVALID_REQUEST.name());
    }
    return plan;
  }

  @Override
  public SourcePage listSource(ListSourceRequest request) {
    try {
      listingGate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    int from = request.cursor() == null ? 0 : Integer.parseInt(request.cursor());
    int to = Math.min(source.size(), from + request.pageSize());
    return new SourcePage(
        new ArrayList<>(source.subList(from, to)), Integer.toString(to), to >= source.size());
  }

  @Override
  public SourcePage listFailed(ListFailedRequest request) {
    failedListings.add(request);
    List<PersistRequest> list = failedList;
    int from = request.cursor() == null ? 0 : Integer.parseInt(request.cursor());
    int to = Math.min(list.size(), from + request.pageSize());
    List<SourceItem> items = new ArrayList<>();
    for (PersistRequest record : list.subList(from, to)) {
      PersistRequest now = persisted.get(record.item().sha256());
      if (now != null && now.status() == ImageStatus.FAILED) {
        items.add(record.item());
      }
    }
    return new SourcePage(items, Integer.toString(to), to >= list.size());
  }

  @Override
  public ProbeResult probe(ProbeRequest request) {
    if (failedWhenProbed.contains(request.item().uri())) {
      throw ApplicationFailure.newNonRetryableFailure(
          "storage is down (fake)", FailureType.STORAGE.name());
    }
    if (badImages.contains(request.item().uri())) {
      throw ApplicationFailure.newNonRetryableFailure(
          "truncated: the file ends early", FailureType.BAD_IMAGE.name());
    }
    PersistRequest earlier = persisted.get(request.item().sha256());
    if (earlier != null
        && earlier.status() != ImageStatus.FAILED
        && !earlier.runToken().equals(request.runToken())) {
      return new ProbeResult(null, resultOf(earlier));
    }
    return new ProbeResult(
        new ImageInfo(request.item().uri(), request.item().sha256(), 800, 600, "png"), null);
  }

  @Override
  public dev.loupe.contract.OcrResult ocr(dev.loupe.contract.OcrRequest request) {
    return new dev.loupe.contract.OcrResult("TOTAL 42.00\nThank you", request.languages());
  }

  @Override
  public ImageResult persist(PersistRequest request) {
    if ("duplicate".equals(request.reason())) {
      duplicates.add(request);
    } else {
      persisted.put(request.item().sha256(), request);
    }
    return resultOf(request);
  }

  @Override
  public ExportResult export(ExportRequest request) {
    exports.add(request);
    Counts counts = Counts.ZERO;
    for (PersistRequest record : persisted.values()) {
      counts = counts.withListed(1).add(resultOf(record));
    }
    for (PersistRequest record : duplicates) {
      counts = counts.withListed(1).add(resultOf(record));
    }
    List<PersistRequest> failed =
        persisted.values().stream()
            .filter(record -> record.status() == ImageStatus.FAILED)
            .sorted(java.util.Comparator.comparing(record -> record.item().sha256()))
            .toList();
    failedList = failed;
    List<FailedImage> sample =
        failed.stream()
            .limit(ExportResult.FAILED_SAMPLE)
            .map(
                record ->
                    new FailedImage(
                        record.item().sha256(),
                        record.item().uri(),
                        record.reason(),
                        record.detail()))
            .toList();
    return new ExportResult(List.of("samples.jsonl"), counts, sample);
  }

  static ImageResult resultOf(PersistRequest request) {
    Usage usage = request.calls().stream().map(ModelCall::usage).reduce(Usage.ZERO, Usage::plus);
    int accepted =
        request.qa() == null ? 0 : (int) request.qa().stream().filter(QaPair::accepted).count();
    return new ImageResult(
        request.item().sha256(),
        request.item().uri(),
        request.status(),
        request.reason(),
        request.detail(),
        accepted,
        usage);
  }

  @Override
  public ShardPlan planShards(ShardPlanRequest request) {
    shardPlans.add(request);
    return new ShardPlan(shardCount, shardCount * 10L, shardCount / 2, shardCount - shardCount / 2);
  }

  @Override
  public ShardResult writeShard(ShardRequest request) {
    shardsWritten.add(request);
    return new ShardResult(request.format() + "/" + request.index(), 10, 0, 1000);
  }

  @Override
  public ShardsResult finishShards(ShardsFinishRequest request) {
    shardFinishes.add(request);
    List<String> files = new ArrayList<>();
    for (String format : request.formats()) {
      files.add(format + "/");
    }
    files.add("export-skipped.jsonl");
    return new ShardsResult(files, request.plan().shards(), request.plan().samples(), 0);
  }
}
