package dev.loupe.contract;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Activities of the CPU pool, served on {@link TaskQueues#CPU}: planning, source listing, image
 * probing, persistence and export. All are idempotent: outputs are keyed by image hash.
 */
@ActivityInterface(namePrefix = "Cpu")
public interface CpuActivities {

  /**
   * Validates a dataset request and resolves its recipe against the worker configuration. Fails
   * with {@link FailureType#INVALID_REQUEST}, naming the field, when the request is wrong.
   */
  @ActivityMethod
  RunPlan plan(DatasetRequest request);

  /** Reads one page of the source, hashing each image. */
  @ActivityMethod
  SourcePage listSource(ListSourceRequest request);

  /**
   * Reads one page of the output's failed images, as the last export listed them, rebuilding each
   * source item from its record. Skips images whose record is no longer failed.
   */
  @ActivityMethod
  SourcePage listFailed(ListFailedRequest request);

  /**
   * Decodes the image's header safely and checks it against the plan's limits. Fails with {@link
   * FailureType#BAD_IMAGE} for corrupt, truncated, empty, tiny or oversized images. Returns the
   * already persisted result when this image was finished into the same output before.
   */
  @ActivityMethod
  ProbeResult probe(ProbeRequest request);

  /** Reads the text in an image with Tesseract (English and Simplified Chinese). */
  @ActivityMethod
  OcrResult ocr(OcrRequest request);

  /** Writes the image's record under the output, keyed by its hash; rewriting is harmless. */
  @ActivityMethod
  ImageResult persist(PersistRequest request);

  /** Writes the training files, stats and run manifest from the persisted records. */
  @ActivityMethod
  ExportResult export(ExportRequest request);

  /**
   * Plans the WebDataset/Parquet shards of an exported output: which samples go in which shard,
   * written under {@code <output>/.loupe/export/}. Deterministic: the same samples give the same
   * plan. Fails with {@link FailureType#INVALID_REQUEST} when the output has no samples or a format
   * is unknown.
   */
  @ActivityMethod
  ShardPlan planShards(ShardPlanRequest request);

  /**
   * Writes one planned shard whole and replaces it in one step (a multipart upload on S3), so a
   * retry rewrites it and no sample is ever in two shards. Heartbeats as it goes.
   */
  @ActivityMethod
  ShardResult writeShard(ShardRequest request);

  /** Writes {@code export-skipped.jsonl} and the dataset card; removes stale shards. */
  @ActivityMethod
  ShardsResult finishShards(ShardsFinishRequest request);
}
