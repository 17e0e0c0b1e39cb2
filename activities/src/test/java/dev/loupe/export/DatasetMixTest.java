package dev.loupe.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.record.RecordMapper;
import dev.loupe.storage.LocalBlobStore;
import dev.loupe.storage.Locations;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetMixTest {
  @TempDir Path dir;

  private final ObjectMapper mapper = RecordMapper.create();
  private final DatasetMix mix = new DatasetMix(new LocalBlobStore(), mapper);

  /** A run output whose llava.json holds {@code size} samples named {@code <name>-<i>}. */
  private URI run(String name, int size) throws IOException {
    Path out = Files.createDirectories(dir.resolve(name));
    List<Map<String, Object>> samples = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      samples.add(
          TrainingFormats.llava(
              name + "-" + i,
              "/images/" + name + "/" + i + ".png",
              List.of(
                  new TrainingFormats.Turn("Question " + i + "?", "Answer " + i + "."),
                  new TrainingFormats.Turn("And then?", "More."))));
    }
    mapper.writeValue(out.resolve("llava.json").toFile(), samples);
    return Locations.asDirectory(Locations.file(out));
  }

  private URI output() {
    return Locations.asDirectory(Locations.file(dir.resolve("mix")));
  }

  private JsonNode llava() throws IOException {
    return mapper.readTree(dir.resolve("mix/llava.json").toFile());
  }

  private static Map<String, Integer> bySource(JsonNode llava) {
    Map<String, Integer> counts = new HashMap<>();
    for (JsonNode sample : llava) {
      String original = sample.get("id").asText().split("/", 2)[1];
      counts.merge(original.substring(0, original.indexOf('-')), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void sourcesAreSampledInProportionToTheSquareRootOfTheirSize() throws IOException {
    // √100 : √400 : √1600 = 10 : 20 : 40, so of 2,100 samples 300, 600 and 1,200.
    List<DatasetMix.Source> sources =
        List.of(
            new DatasetMix.Source(run("small", 100), 1),
            new DatasetMix.Source(run("medium", 400), 1),
            new DatasetMix.Source(run("large", 1600), 1));

    DatasetMix.Result result = mix.mix(sources, null, 7, output());

    assertThat(result.samples()).isEqualTo(2100);
    assertThat(result.shares())
        .extracting(DatasetMix.Share::drawn)
        .containsExactly(300L, 600L, 1200L);
    JsonNode llava = llava();
    assertThat(llava).hasSize(2100);
    assertThat(bySource(llava))
        .containsExactlyInAnyOrderEntriesOf(Map.of("small", 300, "medium", 600, "large", 1200));
    // The small run is repeated three times over, every sample alike; the large one is drawn
    // without repetition; ids stay unique.
    Set<String> ids = new HashSet<>();
    Map<String, Integer> perSample = new HashMap<>();
    for (JsonNode sample : llava) {
      assertThat(ids.add(sample.get("id").asText())).isTrue();
      perSample.merge(sample.get("image").asText(), 1, Integer::sum);
    }
    for (int i = 0; i < 100; i++) {
      assertThat(perSample.get("/images/small/" + i + ".png")).isEqualTo(3);
    }
    assertThat(perSample.entrySet())
        .filteredOn(e -> e.getKey().startsWith("/images/large/"))
        .allSatisfy(e -> assertThat(e.getValue()).isEqualTo(1))
        .hasSize(1200);
    // 600 of 400: each once, and 200 of them twice.
    assertThat(perSample.entrySet())
        .filteredOn(e -> e.getKey().startsWith("/images/medium/"))
        .hasSize(400)
        .filteredOn(e -> e.getValue() == 2)
        .hasSize(200);

    JsonNode first = llava.get(0);
    assertThat(first.at("/conversations/0/value").asText()).isEqualTo("<image>\nQuestion 0?");
    assertThat(first.get("conversations")).hasSize(4);
    List<String> sharegpt = Files.readAllLines(dir.resolve("mix/sharegpt.jsonl"));
    assertThat(sharegpt).hasSize(2100);
    assertThat(mapper.readTree(sharegpt.get(0)).at("/messages/0/content").asText())
        .isEqualTo("<image>Question 0?");
    JsonNode manifest = mapper.readTree(dir.resolve("mix/mix.json").toFile());
    assertThat(manifest.get("samples").asLong()).isEqualTo(2100);
    assertThat(manifest.at("/sources/0/size").asLong()).isEqualTo(100);
    assertThat(manifest.at("/sources/2/probability").asDouble()).isCloseTo(4.0 / 7, within());
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }

  @Test
  void weightsShiftTheSharesAndTheSizeIsWhatWasAskedFor() throws IOException {
    // Equal sizes, weights 3 : 1: three quarters from the first.
    List<DatasetMix.Source> sources =
        List.of(new DatasetMix.Source(run("a", 50), 3), new DatasetMix.Source(run("b", 50), 1));

    DatasetMix.Result result = mix.mix(sources, 41L, 1, output());

    assertThat(result.shares()).extracting(DatasetMix.Share::drawn).containsExactly(31L, 10L);
    assertThat(bySource(llava())).containsExactlyInAnyOrderEntriesOf(Map.of("a", 31, "b", 10));
  }

  @Test
  void theSameSeedGivesTheSameMixAndAnotherSeedAnother() throws IOException {
    List<DatasetMix.Source> sources =
        List.of(new DatasetMix.Source(run("a", 200), 1), new DatasetMix.Source(run("b", 20), 1));
    mix.mix(sources, 60L, 5, output());
    String once = Files.readString(dir.resolve("mix/llava.json"));
    mix.mix(sources, 60L, 5, output());
    String again = Files.readString(dir.resolve("mix/llava.json"));
    mix.mix(sources, 60L, 6, output());
    String otherSeed = Files.readString(dir.resolve("mix/llava.json"));

    assertThat(again).isEqualTo(once);
    assertThat(otherSeed).isNotEqualTo(once);
  }

  @Test
  void largestRemainderAddsUpToTheTotal() {
    double[] p = {1.0 / 3, 1.0 / 3, 1.0 / 3};
    assertThat(DatasetMix.largestRemainder(p, 10)).containsExactly(4, 3, 3);
    assertThat(DatasetMix.largestRemainder(new double[] {0.5, 0, 0.5}, 3)).containsExactly(2, 0, 1);
  }

  @Test
  void copiesRepeatEverySampleEvenly() {
    int[] copies = DatasetMix.copies(4, 10, new Random(1));
    assertThat(java.util.Arrays.stream(copies).sum()).isEqualTo(10);
    assertThat(java.util.Arrays.stream(copies).boxed().toList())
        .allSatisfy(c -> assertThat(c).isBetween(2, 3));
    assertThat(DatasetMix.copies(5, 0, new Random(1))).containsOnly(0);
  }

  @Test
  void badInputIsNamed() throws IOException {
    URI missing = Locations.asDirectory(Locations.file(dir.resolve("nothing-here")));
    assertThatThrownBy(() -> mix.mix(List.of(new DatasetMix.Source(missing, 1)), null, 0, output()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nothing-here/llava.json does not exist");

    Path broken = Files.createDirectories(dir.resolve("broken"));
    Files.writeString(broken.resolve("llava.json"), "[{\"id\": \"x\", \"conversations\": [");
    URI brokenRun = Locations.asDirectory(Locations.file(broken));
    assertThatThrownBy(
            () -> mix.mix(List.of(new DatasetMix.Source(brokenRun, 1)), null, 0, output()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("broken/llava.json is not valid JSON");

    assertThatThrownBy(() -> new DatasetMix.Source(missing, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be a positive number");
    URI empty = run("empty", 0);
    assertThatThrownBy(() -> mix.mix(List.of(new DatasetMix.Source(empty, 1)), null, 0, output()))
        .hasMessageContaining("hold no training sample");
  }

  /** A run whose llava.json holds samples of several tasks: task name to count (long_form bare). */
  private URI runWithTasks(String name, Map<String, Integer> tasks) throws IOException {
    Path out = Files.createDirectories(dir.resolve(name));
    List<Map<String, Object>> samples = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, Integer> task : tasks.entrySet()) {
      for (int n = 0; n < task.getValue(); n++, i++) {
        samples.add(
            TrainingFormats.llava(
                name + "-" + i,
                "/images/" + name + "/" + i + ".png",
                List.of(new TrainingFormats.Turn("Q" + i + "?", "A" + i + ".")),
                task.getKey().equals(DatasetMix.LONG_FORM) ? null : task.getKey()));
      }
    }
    mapper.writeValue(out.resolve("llava.json").toFile(), samples);
    return Locations.asDirectory(Locations.file(out));
  }

  @Test
  void taskTypesOfARunAreSourcesOfTheirOwnBalancedByTheSquareRootOfTheirSize() throws IOException {
    // One run with 900 long-form and 100 short-answer samples, another with 400 brief captions:
    // √900 : √100 : √400 = 30 : 10 : 20, so of 1,400 samples 700, 233 and 467.
    Map<String, Integer> mixed = new java.util.LinkedHashMap<>();
    mixed.put(DatasetMix.LONG_FORM, 900);
    mixed.put("short_answer", 100);
    List<DatasetMix.Source> sources =
        List.of(
            new DatasetMix.Source(runWithTasks("mixed", mixed), 1),
            new DatasetMix.Source(runWithTasks("brief", Map.of("brief_caption", 400)), 1));

    DatasetMix.Result result = mix.mix(sources, null, 3, output());

    assertThat(result.shares())
        .extracting(DatasetMix.Share::task)
        .containsExactly(DatasetMix.LONG_FORM, "short_answer", "brief_caption");
    assertThat(result.shares())
        .extracting(DatasetMix.Share::drawn)
        .containsExactly(700L, 233L, 467L);
    Map<String, Integer> byTask = new HashMap<>();
    for (JsonNode sample : llava()) {
      byTask.merge(sample.path("task").asText(DatasetMix.LONG_FORM), 1, Integer::sum);
    }
    assertThat(byTask)
        .containsEntry(DatasetMix.LONG_FORM, 700)
        .containsEntry("short_answer", 233)
        .containsEntry("brief_caption", 467);
    JsonNode manifest = mapper.readTree(dir.resolve("mix/mix.json").toFile());
    assertThat(manifest.get("balance").asText()).isEqualTo("task");
    assertThat(manifest.get("sources")).hasSize(3);
  }

  @Test
  void balancingByRunKeepsEachRunOneSource() throws IOException {
    Map<String, Integer> mixed = new java.util.LinkedHashMap<>();
    mixed.put(DatasetMix.LONG_FORM, 300);
    mixed.put("short_answer", 100);
    List<DatasetMix.Source> sources =
        List.of(
            new DatasetMix.Source(runWithTasks("mixed", mixed), 1),
            new DatasetMix.Source(runWithTasks("other", Map.of(DatasetMix.LONG_FORM, 100)), 1));

    DatasetMix.Result result = mix.mix(sources, 300L, 3, output(), DatasetMix.Balance.RUN);

    // √400 : √100 = 2 : 1.
    assertThat(result.shares()).extracting(DatasetMix.Share::drawn).containsExactly(200L, 100L);
    assertThat(result.shares()).extracting(DatasetMix.Share::task).containsOnlyNulls();
  }
}
