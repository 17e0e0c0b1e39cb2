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
 * sample comes from run {@code d} with probability proportional to {@code w_d × √S_d}, where {@code
 * S_d} is the run's number of samples and {@code w_d} a weight (1 unless given), so that small sets
 * are not drowned by large ones nor repeated until the model overfits them. The mix holds {@code N}
 * samples (by default as many as all the runs together): run {@code d} contributes {@code N × p_d}
 * of them, rounded by largest remainder; fewer than it has are drawn without repetition, more
 * repeat every sample evenly (each {@code ⌊n_d / S_d⌋} times, plus a random {@code n_d mod S_d}
 * once more).
 *
 * <p>Reads each run's {@code llava.json} (the published output contract) twice, streamed, so memory
 * holds the chosen sample numbers, not the samples. Writes {@code llava.json}, {@code
 * sharegpt.jsonl} and {@code mix.json} (sources, sizes, weights, probabilities and counts) under
 * the output, grouped by source in source order: trainers shuffle their data. Sample ids are
 * prefixed with the source's number ({@code 0/…}), and a repeated sample's id gets its repetition
 * ({@code …#2}), so ids stay unique. The same inputs, size and seed give the same mix.
 */
public final class DatasetMix {
  public static final String MANIFEST = "mix.json";
  private static final String IMAGE_TOKEN = "<image>";

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
   * @param size samples in its {@code llava.json}
   * @param probability its share of the mix
   * @param drawn samples of the mix taken from it
   */
  public record Share(String output, double weight, long size, double probability, long drawn) {}

  /** What was written: each source's share, and the total. */
  public record Result(List<Share> shares, long samples) {}

  /**
   * @param samples the mix's size; null for the sources' total
   * @param seed the random seed: the same seed gives the same mix
   */
  public Result mix(List<Source> sources, Long samples, long seed, URI output) throws IOException {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("nothing to mix: name at least one run output");
    }
    if (samples != null && samples <= 0) {
      throw new IllegalArgumentException("the mix size must be positive, got " + samples);
    }
    long[] sizes = new long[sources.size()];
    long total = 0;
    for (int d = 0; d < sources.size(); d++) {
      sizes[d] = count(llavaOf(sources.get(d)));
      total += sizes[d];
    }
    if (total == 0) {
      throw new IllegalArgumentException("the runs to mix hold no training sample");
    }
    long size = samples == null ? total : samples;
    double[] probability = probabilities(sources, sizes);
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
          int[] copies = copies(sizes[d], drawn[d], random);
          writeChosen(d, llavaOf(sources.get(d)), copies, llava, sharegpt);
        }
        llava.writeEndArray();
      }
      List<Share> shares = new ArrayList<>();
      for (int d = 0; d < sources.size(); d++) {
        Source source = sources.get(d);
        shares.add(
            new Share(
                source.output().toString(), source.weight(), sizes[d], probability[d], drawn[d]));
      }
      Result result = new Result(shares, size);
      Map<String, Object> manifest = new LinkedHashMap<>();
      manifest.put("method", "square-root sampling (InstructBLIP): p_d ∝ weight_d × √size_d");
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
    double[] p = new double[sizes.length];
    double sum = 0;
    for (int d = 0; d < sizes.length; d++) {
      p[d] = sources.get(d).weight() * Math.sqrt(sizes[d]);
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

  /** The number of samples in a {@code llava.json}, streamed; the whole file is checked. */
  private long count(URI llava) throws IOException {
    long count = 0;
    try (InputStream in = open(llava);
        JsonParser parser = json.getFactory().createParser(in)) {
      requireArray(parser, llava);
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.START_OBJECT) {
        parser.skipChildren();
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
    return count;
  }

  private void writeChosen(
      int source, URI llava, int[] copies, JsonGenerator llavaOut, BufferedWriter sharegptOut)
      throws IOException {
    try (InputStream in = open(llava);
        JsonParser parser = json.getFactory().createParser(in)) {
      requireArray(parser, llava);
      int index = 0;
      while (parser.nextToken() == JsonToken.START_OBJECT) {
        int times = index < copies.length ? copies[index] : 0;
        index++;
        if (times == 0) {
          parser.skipChildren();
          continue;
        }
        JsonNode sample = json.readTree(parser);
        String image = sample.path("image").asText(null);
        List<TrainingFormats.Turn> turns = turns(sample, llava);
        for (int copy = 1; copy <= times; copy++) {
          String id =
              source
                  + "/"
                  + sample.path("id").asText("" + (index - 1))
                  + (copy > 1 ? "#" + copy : "");
          json.writeValue(llavaOut, TrainingFormats.llava(id, image, turns));
          sharegptOut.write(json.writeValueAsString(TrainingFormats.sharegpt(image, turns)));
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
