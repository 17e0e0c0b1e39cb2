package dev.loupe.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.Check;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.ExportRequest;
import dev.loupe.contract.ExportResult;
import dev.loupe.contract.QaPair;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.ShortTask;
import dev.loupe.image.ContentHash;
import dev.loupe.record.ItemRecord;
import dev.loupe.record.ItemStore;
import dev.loupe.record.RecordMapper;
import dev.loupe.source.SourceReader;
import dev.loupe.storage.AllowedRoots;
import dev.loupe.storage.LocalBlobStore;
import dev.loupe.storage.Locations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export's share of the perplexity check (the run-level cut) and of the short-form tasks (their
 * samples marked with the task and asked with its instructions).
 */
class ShortFormExportTest {
  @TempDir Path out;

  private final ObjectMapper mapper = RecordMapper.create();
  private final LocalBlobStore blobs = new LocalBlobStore();
  private final ItemStore items = new ItemStore(blobs, mapper);
  private final SourceReader images =
      new SourceReader(
          blobs,
          AllowedRoots.of(List.of(System.getProperty("java.io.tmpdir")), List.of()),
          64L << 20);

  private String output() {
    return Locations.asDirectory(Locations.file(out)).toString();
  }

  private static String sha(int i) {
    return ContentHash.sha256Hex(("image " + i).getBytes(StandardCharsets.UTF_8));
  }

  private static ItemRecord record(
      String id, String status, String reason, ItemRecord.Caption caption, List<QaPair> qa) {
    return new ItemRecord(
        id,
        status,
        reason,
        reason == null ? null : "why",
        null,
        new ItemRecord.Image("file:///images/" + id + ".png", 800, 600, "png", 10L),
        null,
        caption,
        qa,
        new ItemRecord.UsageRecord(10, 5, 0),
        new ItemRecord.Provenance("ds", "run", "test", null, null, null, List.of()));
  }

  private static ItemRecord.Caption scored(double perplexity) {
    Map<String, Check> checks = new LinkedHashMap<>();
    checks.put("caption_length", new Check(true, "ok"));
    checks.put("perplexity", new Check(true, "perplexity " + perplexity, perplexity));
    return new ItemRecord.Caption("A caption.", "m", checks);
  }

  private ExportRequest request(Double keepLowestShare) {
    RunPlan.CheckSettings settings =
        new RunPlan.CheckSettings(
            10, 200, 0.3, 1, new RunPlan.Perplexity("engine", "tiny", null, keepLowestShare), 0, 0);
    RunPlan plan =
        new RunPlan(
            "points-captions",
            "f".repeat(64),
            224,
            1L << 30,
            Map.of(),
            Map.of(),
            "en",
            0,
            settings);
    return new ExportRequest(
        output(), "ds", DatasetRequest.of("file:///images/", output()), plan, 0, 1000, "completed");
  }

  private List<JsonNode> lines(String file) throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve(file))) {
      if (!line.isBlank()) {
        lines.add(mapper.readTree(line));
      }
    }
    return lines;
  }

  @Test
  void keepsTheLowestShareOfTheRunsScoredCaptions() throws IOException {
    // Ten accepted captions with perplexities 10, 20, …, 100; one rejected for its length, scored
    // 5 (it counts in the ranking but stays rejected for its own reason); one without a score.
    for (int i = 0; i < 10; i++) {
      items.write(output(), record(sha(i), "accepted", null, scored(10.0 * (i + 1)), null));
    }
    items.write(output(), record(sha(10), "rejected", "caption_length", scored(5), null));
    items.write(
        output(),
        record(sha(11), "accepted", null, new ItemRecord.Caption("Unscored.", "m", null), null));

    ExportResult result =
        new Exporter(items, blobs, images, mapper, new RunManifest(Map.of("loupe", "test")))
            .export(request(0.3), progress -> {});

    // 11 scored captions, ⌈0.3 × 11⌉ = 4 kept: 5, 10, 20, 30; the cut is 30.
    JsonNode stats = mapper.readTree(out.resolve("stats.json").toFile());
    assertThat(stats.at("/perplexity_cut/scored").asLong()).isEqualTo(11);
    assertThat(stats.at("/perplexity_cut/cut").asDouble()).isEqualTo(30.0);
    assertThat(stats.at("/rejected_by_reason/perplexity").asLong()).isEqualTo(7);
    assertThat(result.counts().accepted()).isEqualTo(4); // 10, 20, 30 and the unscored one
    List<JsonNode> samples = lines("samples.jsonl");
    assertThat(samples)
        .extracting(s -> s.at("/caption/checks/perplexity/score").asDouble(-1))
        .containsExactlyInAnyOrder(10.0, 20.0, 30.0, -1.0);
    JsonNode kept =
        samples.stream()
            .filter(s -> s.at("/caption/checks/perplexity/score").asDouble() == 30.0)
            .findFirst()
            .orElseThrow();
    assertThat(kept.at("/caption/checks/perplexity/pass").asBoolean()).isTrue();
    assertThat(kept.at("/caption/checks/perplexity/threshold").asDouble()).isEqualTo(30.0);
    assertThat(kept.at("/caption/checks/perplexity/detail").asText())
        .endsWith("within the run's cut 30.00 (the lowest 30% of 11 scored captions kept)");
    List<JsonNode> rejected = lines("rejected.jsonl");
    assertThat(rejected).hasSize(8);
    assertThat(rejected.stream().filter(r -> r.get("reason").asText().equals("perplexity")))
        .hasSize(7)
        .allSatisfy(
            r -> assertThat(r.get("detail").asText()).contains("above the run's cut 30.00"));
    assertThat(mapper.readTree(out.resolve("llava.json").toFile())).hasSize(4);
  }

  @Test
  void exportingAgainDrawsTheSameCut() throws IOException {
    for (int i = 0; i < 5; i++) {
      items.write(output(), record(sha(i), "accepted", null, scored(i + 1.5), null));
    }
    Exporter exporter =
        new Exporter(items, blobs, images, mapper, new RunManifest(Map.of("loupe", "test")));
    exporter.export(request(0.4), progress -> {});
    String first = Files.readString(out.resolve("samples.jsonl"));
    exporter.export(request(0.4), progress -> {});

    assertThat(Files.readString(out.resolve("samples.jsonl"))).isEqualTo(first);
    assertThat(lines("samples.jsonl")).hasSize(2);
  }

  @Test
  void withoutAShareNothingIsCutAtExport() throws IOException {
    for (int i = 0; i < 3; i++) {
      items.write(output(), record(sha(i), "accepted", null, scored(1000.0 * (i + 1)), null));
    }
    new Exporter(items, blobs, images, mapper, new RunManifest(Map.of("loupe", "test")))
        .export(request(null), progress -> {});

    assertThat(lines("samples.jsonl")).hasSize(3);
    assertThat(mapper.readTree(out.resolve("stats.json").toFile()).has("perplexity_cut")).isFalse();
  }

  @Test
  void shortFormSamplesAreMarkedAndAskedWithTheirTasksInstructions() throws IOException {
    String id = sha(1);
    List<QaPair> qa =
        List.of(
            new QaPair(
                "What color is the car?", ShortTask.SHORT_ANSWER, "Red", null, Map.of(), true),
            new QaPair("How many wheels?", ShortTask.SHORT_ANSWER, "Four", null, Map.of(), true),
            new QaPair(
                "Which is shown?\nA. a car\nB. a bus",
                ShortTask.MULTIPLE_CHOICE,
                "A",
                null,
                Map.of(),
                true),
            new QaPair("Why is it parked?", "reasoning", "Because …", null, Map.of(), true),
            // Records written before question types existed have none: long-form.
            new QaPair("What is it?", null, "A car.", null, Map.of(), true));
    items.write(
        output(),
        record(
            id,
            "accepted",
            null,
            new ItemRecord.Caption("A red car.", "m", null, ShortTask.BRIEF_CAPTION),
            qa));
    new Exporter(items, blobs, images, mapper, new RunManifest(Map.of("loupe", "test")))
        .export(request(null), progress -> {});

    Map<String, JsonNode> llava = new LinkedHashMap<>();
    for (JsonNode sample : mapper.readTree(out.resolve("llava.json").toFile())) {
      llava.put(sample.get("id").asText(), sample);
    }
    assertThat(llava.keySet())
        .containsExactly(
            id + "-caption", id + "-short_answer", id + "-multiple_choice", id + "-qa");
    JsonNode caption = llava.get(id + "-caption");
    assertThat(caption.get("task").asText()).isEqualTo(ShortTask.BRIEF_CAPTION);
    assertThat(caption.at("/conversations/0/value").asText())
        .isEqualTo("<image>\n" + TaskInstructions.briefCaption(id, "A red car."));
    JsonNode shortAnswers = llava.get(id + "-short_answer");
    assertThat(shortAnswers.get("task").asText()).isEqualTo(ShortTask.SHORT_ANSWER);
    assertThat(shortAnswers.get("conversations")).hasSize(4);
    assertThat(shortAnswers.at("/conversations/0/value").asText())
        .contains("What color is the car?");
    assertThat(llava.get(id + "-multiple_choice").at("/conversations/0/value").asText())
        .contains("A. a car\nB. a bus");
    assertThat(llava.get(id + "-qa").has("task")).isFalse();
    assertThat(llava.get(id + "-qa").at("/conversations/0/value").asText())
        .isEqualTo("<image>\nWhy is it parked?");
    assertThat(llava.get(id + "-qa").at("/conversations/2/value").asText())
        .isEqualTo("What is it?");

    List<JsonNode> sharegpt = lines("sharegpt.jsonl");
    assertThat(sharegpt)
        .extracting(s -> s.path("task").asText("long"))
        .containsExactly("brief_caption", "short_answer", "multiple_choice", "long");
    assertThat(sharegpt.get(1).has("messages")).isTrue();
    assertThat(sharegpt.get(1).has("images")).isTrue();
  }

  @Test
  void shortAnswerWordingsVaryAndSayTheAnswerIsShortOrFrameTheQuestion() {
    java.util.Set<String> wordings = new java.util.HashSet<>();
    for (int i = 0; i < 40; i++) {
      wordings.add(TaskInstructions.question(ShortTask.SHORT_ANSWER, sha(i), 0, "Q?"));
    }
    assertThat(wordings)
        .hasSizeGreaterThanOrEqualTo(8)
        .allSatisfy(w -> assertThat(w).contains("Q?"));
    assertThat(TaskInstructions.question(ShortTask.SHORT_ANSWER, sha(1), 0, "车是什么颜色？"))
        .satisfiesAnyOf(
            w ->
                assertThat(w)
                    .isIn(
                        TaskInstructions.SHORT_ANSWER_CHINESE.stream()
                            .map(t -> t.replace("{}", "车是什么颜色？"))
                            .toList()));
  }
}
