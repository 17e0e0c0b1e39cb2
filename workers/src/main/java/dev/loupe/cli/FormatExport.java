package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.ExportFormats;
import dev.loupe.contract.ShardOptions;
import dev.loupe.contract.ShardPlan;
import dev.loupe.contract.ShardPlanRequest;
import dev.loupe.contract.ShardRequest;
import dev.loupe.contract.ShardsFinishRequest;
import dev.loupe.contract.ShardsResult;
import dev.loupe.export.ShardExporter;
import dev.loupe.export.TrainingFiles;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.Locations;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code loupe export RUN_OUTPUT --format …}: the training formats of a finished run, written into
 * its output on this machine, with the same steps the dataset's own export runs as activities
 * (plan, one task per shard, finish), a few shards at a time.
 */
final class FormatExport {
  private final BlobStore blobs;
  private final ObjectMapper records;
  private final int threads;

  FormatExport(BlobStore blobs, ObjectMapper records, int threads) {
    if (threads < 1) {
      throw new UserError("--threads must be at least 1, got " + threads);
    }
    this.blobs = blobs;
    this.records = records;
    this.threads = threads;
  }

  int export(URI output, List<String> formats, ShardOptions options)
      throws IOException, InterruptedException {
    String conversation = conversationOf(output);
    List<String> plain = formats.stream().filter(f -> !ExportFormats.SHARDED.contains(f)).toList();
    List<String> sharded = ExportFormats.SHARDED.stream().filter(formats::contains).toList();
    List<String> written = new ArrayList<>();
    try {
      if (!plain.isEmpty()) {
        written.addAll(new TrainingFiles(blobs, records).write(output, plain, conversation));
      }
      if (!sharded.isEmpty()) {
        ShardsResult result = shards(output, sharded, conversation, options);
        written.addAll(result.files());
        System.err.printf(
            "loupe: %d shards per format, %d samples each, %d left out (see %s)%n",
            result.shards(), result.samples(), result.skipped(), "export-skipped.jsonl");
      }
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    for (String file : written) {
      System.out.println(Locations.resolve(Locations.asDirectory(output), file));
    }
    return 0;
  }

  private ShardsResult shards(
      URI output, List<String> formats, String conversation, ShardOptions options)
      throws IOException, InterruptedException {
    ShardExporter exporter = new ShardExporter(blobs, records);
    String out = Locations.asDirectory(output).toString();
    ShardPlan plan = exporter.plan(new ShardPlanRequest(out, conversation, formats, options));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> tasks = new ArrayList<>();
      for (String format : formats) {
        for (int index = 0; index < plan.shards(); index++) {
          ShardRequest request = new ShardRequest(out, format, index, options);
          tasks.add(pool.submit(() -> exporter.writeShard(request, written -> {})));
        }
      }
      for (Future<?> task : tasks) {
        task.get();
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    return exporter.finish(new ShardsFinishRequest(out, formats, plan));
  }

  /** The run's conversation style, from its {@code run.json}; multi-turn when it does not say. */
  private String conversationOf(URI output) throws IOException {
    var run = blobs.readIfExists(Locations.resolve(Locations.asDirectory(output), "run.json"));
    if (run.isEmpty()) {
      return null;
    }
    JsonNode conversation = records.readTree(run.get()).at("/request/conversation");
    return conversation.isTextual() ? conversation.asText() : null;
  }
}
