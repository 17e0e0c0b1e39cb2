package dev.loupe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.name.Names;
import dev.loupe.activity.CaptionerActivitiesImpl;
import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.RunPlan;
import dev.loupe.export.CaptionerSeedExport;
import dev.loupe.prompt.PromptLibrary;
import dev.loupe.recipe.ConfigFiles;
import dev.loupe.recipe.Recipe;
import dev.loupe.recipe.RecipeLibrary;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.Locations;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Exports a finished run for training. {@code RUN_OUTPUT --format F…}: the run's samples in the
 * given training formats, written into the run's output ({@code llava.json}, {@code
 * sharegpt.jsonl}, {@code webdataset/shard-*.tar}, {@code parquet/shard-*.parquet} with {@code
 * README.md}), shards written in parallel on this machine. {@code --captioner-seed}: the captions a
 * frontier model wrote on a seed set become the captioner's fine-tuning set (LLaVA format), with
 * the instruction the captioner recipe will give it at bulk time (the ShareGPT4V seed → fine-tune →
 * bulk loop).
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = "Export a finished run in training formats, or as a captioner fine-tuning set.")
final class ExportCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "RUN_OUTPUT",
      description = "output of a finished run (directory or s3://) to export with --format")
  String runOutput;

  @Mixin FormatOptions formats;

  @Option(
      names = "--threads",
      description = "shards written at once (default: the machine's cores)")
  Integer threads;

  @Option(
      names = "--captioner-seed",
      paramLabel = "RUN_OUTPUT",
      description = "output of a run whose captions a frontier model wrote (directory or s3://)")
  String seed;

  @Option(
      names = "--out",
      description =
          "with --captioner-seed: the LLaVA-format JSON file to write (path or s3:// key)")
  String out;

  @Option(
      names = "--recipe",
      description =
          "the captioner recipe whose instruction the samples carry (default: "
              + "sharegpt4v-captioner)")
  String recipe = "sharegpt4v-captioner";

  @Option(
      names = "--image-root",
      description = "write image paths relative to this directory (the trainer's image folder)")
  Path imageRoot;

  @Mixin CommonOptions common;

  @Override
  public Integer call() throws Exception {
    LoupeConfig config = common.load();
    Injector injector = common.offlineInjector(config);
    if (seed == null) {
      if (runOutput == null || formats.formats() == null) {
        throw new UserError(
            "give RUN_OUTPUT with --format llava|sharegpt|webdataset|parquet, or --captioner-seed"
                + " RUN_OUTPUT --out FILE");
      }
      return new FormatExport(
              injector.getInstance(BlobStore.class),
              injector.getInstance(Key.get(ObjectMapper.class, Names.named("records"))),
              threads == null ? Runtime.getRuntime().availableProcessors() : threads)
          .export(Locations.of(runOutput), formats.formats(), formats.shards());
    }
    if (out == null || runOutput != null || formats.formats() != null) {
      throw new UserError("--captioner-seed takes --out FILE, and no RUN_OUTPUT or --format");
    }
    ConfigFiles files = injector.getInstance(ConfigFiles.class);
    Recipe.Stage describe =
        new RecipeLibrary(files).load(recipe).recipe().stages().get(RunPlan.DESCRIBE);
    if (describe == null || !RunPlan.StagePlan.CAPTIONER_POOL.equals(describe.pool())) {
      throw new UserError(
          "recipe "
              + recipe
              + " does not caption on the captioner pool (describe: pool: captioner)");
    }
    PromptLibrary prompts = injector.getInstance(PromptLibrary.class);
    CaptionerSeedExport.Result result =
        new CaptionerSeedExport(
                injector.getInstance(BlobStore.class),
                injector.getInstance(Key.get(ObjectMapper.class, Names.named("records"))))
            .export(
                Locations.of(seed),
                sha256 ->
                    prompts
                        .pick(describe.templates(), sha256, RunPlan.DESCRIBE)
                        .render(Map.of("alt_text", "")),
                CaptionerActivitiesImpl.ENDPOINT,
                imageRoot,
                Locations.of(out));
    System.out.println(out);
    System.err.println(
        "loupe: wrote "
            + result.samples()
            + " captioner training samples to "
            + out
            + (result.captionerWritten() > 0
                ? "; left out " + result.captionerWritten() + " captions the captioner wrote"
                : "")
            + (result.withoutCaption() > 0
                ? "; " + result.withoutCaption() + " samples had no caption"
                : ""));
    return result.samples() > 0 ? 0 : 1;
  }
}
