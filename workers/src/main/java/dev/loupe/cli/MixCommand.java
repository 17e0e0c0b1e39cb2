package dev.loupe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.name.Names;
import dev.loupe.export.DatasetMix;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.Locations;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Mixes the training files of finished runs by square-root sampling (InstructBLIP). */
@Command(
    name = "mix",
    mixinStandardHelpOptions = true,
    description = {
      "Mix the training files of several finished runs into one: a sample comes from run d with"
          + " probability proportional to weight_d × √(samples in d) (InstructBLIP's mixing), so"
          + " small runs are neither drowned nor overfitted.",
      "By default each task type of a run is its own source (long-form samples, and each"
          + " short-form task a run marks: brief_caption, short_answer, multiple_choice), so task"
          + " types are balanced by √size too; --balance run makes each run one source.",
      "Writes llava.json, sharegpt.jsonl and mix.json (what each source gave) under --out."
    })
final class MixCommand implements Callable<Integer> {
  @Parameters(
      arity = "1..*",
      paramLabel = "RUN_OUTPUT[=WEIGHT]",
      description =
          "a finished run's output (directory or s3:// prefix holding llava.json), optionally"
              + " with a weight (default 1) to raise or lower its share by hand")
  List<String> runs;

  @Option(names = "--out", required = true, description = "output directory or s3:// prefix")
  String out;

  @Option(
      names = "--samples",
      description = "samples in the mix (default: as many as the runs hold together)")
  Long samples;

  @Option(names = "--seed", description = "random seed; the same seed gives the same mix")
  long seed = 0;

  @Option(
      names = "--balance",
      description =
          "what one source is: task (each task type of each run; default) or run (each run)")
  String balance = "task";

  @Mixin CommonOptions common;

  @Override
  public Integer call() throws Exception {
    List<DatasetMix.Source> sources = new ArrayList<>();
    for (String run : runs) {
      sources.add(source(run));
    }
    Injector injector = common.offlineInjector(common.load());
    DatasetMix.Result result =
        new DatasetMix(
                injector.getInstance(BlobStore.class),
                injector.getInstance(Key.get(ObjectMapper.class, Names.named("records"))))
            .mix(sources, samples, seed, Locations.of(out), balance());
    for (DatasetMix.Share share : result.shares()) {
      System.err.printf(
          Locale.ROOT,
          "loupe: %s%s: %d samples, weight %s, share %.1f %% → %d in the mix%n",
          share.output(),
          share.task() == null ? "" : " [" + share.task() + "]",
          share.size(),
          share.weight(),
          100 * share.probability(),
          share.drawn());
    }
    System.err.println("loupe: wrote " + result.samples() + " samples to " + out);
    System.out.println(out);
    return 0;
  }

  private DatasetMix.Balance balance() {
    return switch (balance) {
      case "task" -> DatasetMix.Balance.TASK;
      case "run" -> DatasetMix.Balance.RUN;
      default ->
          throw new IllegalArgumentException(
              "--balance must be task or run, got '" + balance + "'");
    };
  }

  /**
   * {@code path} or {@code path=weight}. What follows the last '=' is a weight only when it reads
   * as a number, so a path that has '=' in it still names a run.
   */
  static DatasetMix.Source source(String argument) {
    int equals = argument.lastIndexOf('=');
    if (equals > 0) {
      try {
        double weight = Double.parseDouble(argument.substring(equals + 1));
        return new DatasetMix.Source(Locations.of(argument.substring(0, equals)), weight);
      } catch (NumberFormatException notAWeight) {
        // part of the path
      }
    }
    return new DatasetMix.Source(Locations.of(argument), 1.0);
  }
}
