package dev.loupe.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.Locations;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Mixes the training files of several runs into one, as InstructBLIP mixes its training sets: a
 * sample comes from source {@code d} with probability proportional to {@code w_d × √S_d}, where
 * {@code S_d} is the source's number of samples and {@code w_d} its run's weight (1 unless given),
 * so that small sets are not drowned by large ones nor repeated until the model overfits them. A
 * source is one task type of one run ({@link Balance#TASK}, the default): a run's long-form samples
 * are one source and each short-form task whose samples it marks ({@code brief_caption}, {@code
 * short_answer}, {@code multiple_choice}) another, so long-form and short-form data are balanced by
 * the square root of their sizes too; with {@link Balance#RUN} each run is one source. The mix
 * holds {@code N} samples (by default as many as all the runs together): source {@code d}
 * contributes {@code N × p_d} of them, rounded by largest remainder; fewer than it has are drawn
 * without repetition, more repeat every sample evenly (each {@code ⌊n_d / S_d⌋} times, plus a
 * random {@code n_d mod S_d} once more).
 *
 * <p>Reads each run's {@code llava.json} (the published output contract) twice, streamed, so memory
 * holds the chosen sample numbers, not the samples. Writes {@code llava.json}, {@code
 * sharegpt.jsonl} and {@code mix.json} (sources, sizes, weights, probabilities and counts) under
 * the output, grouped by run in run order: trainers shuffle their data. Sample ids are prefixed
 * with the run's number ({@code 0/…}), and a repeated sample's id gets its repetition ({@code
 * …#2}), so ids stay unique; a short-form sample keeps its {@code task}. The same inputs, size and
 * seed give the same mix.
 */
public final class DatasetMix {
  public static final String MANIFEST = "mix.json";

  /** The task name of samples that carry none: long-form captions and answers. */
  public static final String LONG_FORM = "long_form";

  private static final String IMAGE_TOKEN = "<image>";

  /** What one source of the mix is. */
  public enum Balance {
    /** One source per task type of each run (long-form and each short-form task). */
    TASK,
    /** One source per run, whatever its samples' tasks. */
    RUN
  }

  private final BlobStore blobs;
  private final ObjectMapper json;

  public DatasetMix(BlobStore blobs, ObjectMapper mapper) {
    this.blobs = blobs;
    this.json = mapper.copy().disable(SerializationFeature.INDENT_OUTPUT);
  }

  /**
   * One run to mix in.
   *
   * @param output the run's output directory or {@code s3://} prefix
   * @param weight the run's weight; 1 for plain square-root sampling
   */
  public record Source(URI output, double weight) {
    public Source {
      if (!(weight > 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException(
            "the weight of " + output + " must be a positive number, got " + weight);
      }
    }
  }

  /**
   * What one source gave.
   *
   * @param output the run's output
   * @param task the task type of the source's samples ({@value #LONG_FORM} for unmarked ones), or
   *     null when sources are whole runs
   * @param size samples of the source in the run's {@code llava.json}
   * @param probability its share of the mix
   * @param drawn samples of the mix taken from it
   */
  public record Share(
      String output, String task, double weight, long size, double probability, long drawn) {}

  /** One source: samples of {@code task} (null: all) in run {@code run}. */
  private record Part(int run, String task, long size) {}

  /** What was written: each source's share, and the total. */
  public record Result(List<Share> shares, long samples) {}

  /**
   * Mixes with one source per task type of each run ({@link Balance#TASK}).
   *
   * @param samples the mix's size; null for the sources' total
   * @param seed the random seed: the same seed gives the same mix
   */
  public Result mix(List<Source> sources, Long samples, long seed, URI output) throws IOException {
    return mix(sources, samples, seed, output, Balance.TASK);
  }

  /**
   * @param samples the mix's size; null for the sources' total
   * @param seed the random seed: the same seed gives the same mix
   * @param balance whether a source is a run or one task type of a run
   */
  public Result mix(List<Source> sources, Long samples, long seed, URI output, Balance balance)
      throws IOException {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("nothing to mix: name at least one run output");
    }
    if (samples != null && samples <= 0) {
      throw new IllegalArgumentException("the mix size must be positive, got " + samples);
    }
    List<Part> parts = new ArrayList<>();
    long total = 0;
    for (int d = 0; d < sources.size(); d++) {
      Map<String, Long> sizes = count(llavaOf(sources.get(d)));
      if (balance == Balance.RUN) {
        long size = sizes.values().stream().mapToLong(Long::longValue).sum();
        parts.add(new Part(d, null, size));
      } else {
        for (Map.Entry<String, Long> task : sizes.entrySet()) {
          parts.add(new Part(d, task.getKey(), task.getValue()));
        }
        if (sizes.isEmpty()) {
          parts.add(new Part(d, LONG_FORM, 0));
        }
      }
    }
    for (Part part : parts) {
      total += part.size();
    }
    if (total == 0) {
      throw new IllegalArgumentException("the runs to mix hold no training sample");
    }
    long size = samples == null ? total : samples;
    double[] weights = new double[parts.size()];
    long[] sizes = new long[parts.size()];
    for (int p = 0; p < parts.size(); p++) {
      weights[p] = sources.get(parts.get(p).run()).weight();
      sizes[p] = parts.get(p).size();
    }
    double[] probability = probabilities(weights, sizes);
    long[] drawn = largestRemainder(probability, size);

    Random random = new Random(seed);
    Path work = Files.createTempDirectory("loupe-mix-");
    try {
      Path llavaFile = work.resolve(Exporter.LLAVA);
      Path sharegptFile = work.resolve(Exporter.SHAREGPT);
      try (OutputStream llavaOut = Files.newOutputStream(llavaFile);
          JsonGenerator llava = json.getFactory().createGenerator(llavaOut);
          BufferedWriter sharegpt = Files.newBufferedWriter(sharegptFile, StandardCharsets.UTF_8)) {
        llava.writeStartArray();
        for (int d = 0; d < sources.size(); d++) {
          Map<String, int[]> copies = new LinkedHashMap<>();
          for (int p = 0; p < parts.size(); p++) {
            if (parts.get(p).run() == d) {
              copies.put(parts.get(p).task(), copies(sizes[p], drawn[p], random));
            }
          }
          writeChosen(d, llavaOf(sources.get(d)), copies, llava, sharegpt);
        }
        llava.writeEndArray();
      }
      List<Share> shares = new ArrayList<>();
      for (int p = 0; p < parts.size(); p++) {
        Part part = parts.get(p);
        Source source = sources.get(part.run());
        shares.add(
            new Share(
                source.output().toString(),
                part.task(),
                source.weight(),
                sizes[p],
                probability[p],
                drawn[p]));
      }
      Result result = new Result(shares, size);
      Map<String, Object> manifest = new LinkedHashMap<>();
      manifest.put(
          "method",
          balance == Balance.TASK
              ? "square-root sampling (InstructBLIP) over each run's task types:"
                  + " p_d ∝ weight_run × √size_d"
              : "square-root sampling (InstructBLIP): p_d ∝ weight_d × √size_d");
      manifest.put("balance", balance.name().toLowerCase(java.util.Locale.ROOT));
      manifest.put("seed", seed);
      manifest.put("samples", size);
      manifest.put("sources", shares);
      Path manifestFile = work.resolve(MANIFEST);
      json.writerWithDefaultPrettyPrinter().writeValue(manifestFile.toFile(), manifest);
      URI directory = Locations.asDirectory(output);
      for (Path file : List.of(llavaFile, sharegptFile, manifestFile)) {
        blobs.upload(Locations.resolve(directory, file.getFileName().toString()), file);
      }
      return result;
    } finally {
      Exporter.deleteRecursively(work);
    }
  }

  /** {@code p_d = w_d √S_d / Σ w_e √S_e}. */
  static double[] probabilities(List<Source> sources, long[] sizes) {
    double[] weights = new double[sizes.length];
    for (int d = 0; d < sizes.length; d++) {
      weights[d] = sources.get(d).weight();
    }
    return probabilities(weights, sizes);
  }

  /** {@code p_d = w_d √S_d / Σ w_e √S_e}. */
  static double[] probabilities(double[] weights, long[] sizes) {
    double[] p = new double[sizes.length];
    double sum = 0;
    for (int d = 0; d < sizes.length; d++) {
      p[d] = weights[d] * Math.sqrt(sizes[d]);
      sum += p[d];
    }
    for (int d = 0; d < sizes.length; d++) {
      p[d] /= sum;
    }
    return p;
  }

  /** {@code total × p_d}, rounded so that the counts add up to {@code total}. */
  static long[] largestRemainder(double[] probability, long total) {
    long[] counts = new long[probability.length];
    double[] remainder = new double[probability.length];
    long assigned = 0;
    for (int d = 0; d < probability.length; d++) {
      double exact = total * probability[d];
      counts[d] = (long) Math.floor(exact);
      remainder[d] = exact - counts[d];
      assigned += counts[d];
    }
    List<Integer> order = new ArrayList<>();
    for (int d = 0; d < probability.length; d++) {
      if (probability[d] > 0) {
        order.add(d);
      }
    }
    order.sort(Comparator.comparingDouble((Integer d) -> -remainder[d]).thenComparing(d -> d));
    for (int i = 0; assigned < total; i = (i + 1) % order.size()) {
      counts[order.get(i)]++;
      assigned++;
    }
    return counts;
  }

  /**
   * How many times each of a source's {@code size} samples goes into the mix, {@code drawn} in all:
   * every sample {@code drawn / size} times, and {@code drawn % size} of them, chosen at random
   * without repetition, once more.
   */
  static int[] copies(long size, long drawn, Random random) {
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a source of " + size + " samples is too large to mix");
    }
    int n = (int) size;
    int[] copies = new int[n];
    if (n == 0) {
      return copies;
    }
    long each = drawn / n;
    if (each > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a mix would repeat each sample " + each + " times");
    }
    java.util.Arrays.fill(copies, (int) each);
    int extra = (int) (drawn % n);
    // The first `extra` of a partial Fisher–Yates shuffle: a uniform sample without repetition.
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = 0; i < extra; i++) {
      int j = i + random.nextInt(n - i);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
      copies[order[i]]++;
    }
    return copies;
  }

  private URI llavaOf(Source source) {
    return Locations.resolve(Locations.asDirectory(source.output()), Exporter.LLAVA);
  }

  /**
   * The number of samples of each task in a {@code llava.json} ({@value #LONG_FORM} for unmarked
   * ones), in order of first appearance, streamed; the whole file is checked.
   */
  private Map<String, Long> count(URI llava) throws IOException {
    Map<String, Long> counts = new LinkedHashMap<>();
    long count = 0;
    try (InputStream in = open(llava);
        JsonParser parser = json.getFactory().createParser(in)) {
      requireArray(parser, llava);
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.START_OBJECT) {
        counts.merge(taskOf(parser), 1L, Long::sum);
        count++;
      }
      if (token != JsonToken.END_ARRAY) {
        throw new IllegalArgumentException(
            llava + ": sample " + (count + 1) + " is not a JSON object");
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(
          llava + " is not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
    return counts;
  }

  /**
   * Reads one sample object, from its START_OBJECT to its END_OBJECT, keeping only its top-level
   * {@code task} (its conversations are skipped unread).
   */
  private static String taskOf(JsonParser parser) throws IOException {
    String task = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if ("task".equals(field) && value == JsonToken.VALUE_STRING) {
        task = parser.getText();
      } else {
        parser.skipChildren();
      }
    }
    return task == null || task.isBlank() ? LONG_FORM : task;
  }

  private void writeChosen(
      int source,
      URI llava,
      Map<String, int[]> copiesByTask,
      JsonGenerator llavaOut,
      BufferedWriter sharegptOut)
      throws IOException {
    boolean byTask = !copiesByTask.containsKey(null);
    Map<String, Integer> indexByTask = new java.util.HashMap<>();
    try (InputStream in = open(llava);
        JsonParser parser = json.getFactory().createParser(in)) {
      requireArray(parser, llava);
      int position = 0;
      while (parser.nextToken() == JsonToken.START_OBJECT) {
        JsonNode sample = json.readTree(parser);
        String marked = sample.path("task").asText("");
        String task = marked.isBlank() ? LONG_FORM : marked;
        String key = byTask ? task : null;
        int[] copies = copiesByTask.get(key);
        int index = indexByTask.merge(key, 1, Integer::sum) - 1;
        position++;
        int times = copies != null && index < copies.length ? copies[index] : 0;
        if (times == 0) {
          continue;
        }
        String image = sample.path("image").asText(null);
        List<TrainingFormats.Turn> turns = turns(sample, llava);
        String written = marked.isBlank() ? null : marked;
        for (int copy = 1; copy <= times; copy++) {
          String id =
              source
                  + "/"
                  + sample.path("id").asText("" + (position - 1))
                  + (copy > 1 ? "#" + copy : "");
          json.writeValue(llavaOut, TrainingFormats.llava(id, image, turns, written));
          sharegptOut.write(
              json.writeValueAsString(TrainingFormats.sharegpt(image, turns, written)));
          sharegptOut.newLine();
        }
      }
    }
  }

  /** A LLaVA sample's human/gpt pairs, the {@code <image>} token taken off the first. */
  private static List<TrainingFormats.Turn> turns(JsonNode sample, URI llava) {
    JsonNode conversations = sample.path("conversations");
    List<TrainingFormats.Turn> turns = new ArrayList<>();
    for (int i = 0; i + 1 < conversations.size(); i += 2) {
      String human = conversations.get(i).path("value").asText("");
      if (i == 0 && human.startsWith(IMAGE_TOKEN)) {
        human = human.substring(IMAGE_TOKEN.length()).stripLeading();
      }
      turns.add(new TrainingFormats.Turn(human, conversations.get(i + 1).path("value").asText("")));
    }
    if (turns.isEmpty()) {
      throw new IllegalArgumentException(
          llava + ": sample " + sample.path("id").asText("?") + " has no human/gpt exchange");
    }
    return turns;
  }

  private InputStream open(URI llava) throws IOException {
    try {
      return blobs.open(llava);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          llava + " does not exist: name the output of a finished run (it holds llava.json)");
    }
  }

  private static void requireArray(JsonParser parser, URI llava) throws IOException {
    if (parser.nextToken() != JsonToken.START_ARRAY) {
      throw new IllegalArgumentException(llava + " is not a JSON array of LLaVA samples");
    }
  }
}
