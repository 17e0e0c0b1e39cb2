package dev.loupe.export;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.Check;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.ExportRequest;
import dev.loupe.contract.ExportResult;
import dev.loupe.contract.ModelCall;
import dev.loupe.contract.QaPair;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.Usage;
import dev.loupe.image.ContentHash;
import dev.loupe.record.ItemRecord;
import dev.loupe.record.ItemStore;
import dev.loupe.record.RecordMapper;
import dev.loupe.source.SourceReader;
import dev.loupe.storage.AllowedRoots;
import dev.loupe.storage.LocalBlobStore;
import dev.loupe.storage.Locations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExporterTest {
  @TempDir Path out;

  private final ObjectMapper mapper = RecordMapper.create();
  private final LocalBlobStore blobs = new LocalBlobStore();
  private final ItemStore items = new ItemStore(blobs, mapper);
  private final SourceReader images =
      new SourceReader(
          blobs,
          AllowedRoots.of(List.of(System.getProperty("java.io.tmpdir")), List.of()),
          64L << 20);

  @Test
  void aRejectedRecordNamingADeviceOrALocationOutsideTheRootsGetsNoThumbnailAndTheExportEnds()
      throws IOException {
    String output = Locations.asDirectory(Locations.file(out)).toString();
    for (String hostile : List.of("file:///dev/zero", "file:///etc/passwd")) {
      ItemRecord record = rejected(ContentHash.sha256Hex(hostile.getBytes(UTF_8)));
      items.write(
          output,
          new ItemRecord(
              record.id(),
              record.status(),
              "bad_image",
              "outside_roots",
              null,
              new ItemRecord.Image(hostile, null, null, null, null),
              null,
              null,
              null,
              record.usage(),
              record.provenance()));
    }
    Exporter exporter =
        new Exporter(items, blobs, images, mapper, new RunManifest(Map.of("loupe", "test")));

    ExportResult result = exporter.export(request(output), progress -> {});

    assertThat(result.counts().rejected()).isEqualTo(2);
    assertThat(Files.readString(out.resolve("report.html")))
        .contains("file:///dev/zero")
        .doesNotContain("<img src=\"data:image/jpeg;base64,");
  }

  @Test
  void writesEveryFileWithCountsTokensAndTrainingFormats() throws IOException {
    String output = Locations.asDirectory(Locations.file(out)).toString();
    items.write(output, accepted("a".repeat(64), 2));
    items.write(output, rejected("b".repeat(64)));
    items.write(output, failed("c".repeat(64)));
    Exporter exporter =
        new Exporter(items, blobs, images, mapper, new RunManifest(Map.of("loupe", "test")));
    List<Long> heartbeats = new ArrayList<>();

    ExportResult result = exporter.export(request(output), heartbeats::add);

    assertThat(result.files())
        .containsExactly(
            "run.json",
            "samples.jsonl",
            "rejected.jsonl",
            "failed.jsonl",
            "llava.json",
            "sharegpt.jsonl",
            "stats.json",
            "report.html");
    assertThat(result.failedSample())
        .singleElement()
        .satisfies(failed -> assertThat(failed.failureType()).isEqualTo("transport"));
    assertThat(result.counts().accepted()).isEqualTo(1);
    assertThat(result.counts().rejected()).isEqualTo(1);
    assertThat(result.counts().failed()).isEqualTo(1);

    JsonNode stats = mapper.readTree(out.resolve("stats.json").toFile());
    assertThat(stats.get("images_total").asLong()).isEqualTo(3);
    assertThat(stats.get("qa_accepted").asLong()).isEqualTo(1);
    // Two calls of 100/20 tokens on the accepted image, one on the rejected one.
    assertThat(stats.at("/tokens/input").asLong()).isEqualTo(300);
    assertThat(stats.at("/tokens/output").asLong()).isEqualTo(60);
    assertThat(stats.at("/rejected_by_reason/self_evaluation").asLong()).isEqualTo(1);
    assertThat(stats.at("/rejected_by_reason/qa:self_evaluation").asLong()).isEqualTo(1);
    assertThat(stats.at("/by_stage/describe/calls").asLong()).isEqualTo(2);
    assertThat(stats.at("/by_stage/describe/p50_ms").asLong()).isBetween(40L, 45L);

    JsonNode llava = mapper.readTree(out.resolve("llava.json").toFile());
    assertThat(llava).hasSize(2);
    JsonNode caption = llava.get(0);
    assertThat(caption.get("id").asText()).isEqualTo("a".repeat(64) + "-caption");
    assertThat(caption.at("/conversations/0/value").asText())
        .isEqualTo("<image>\n" + CaptionInstructions.forImage("a".repeat(64), "A caption."));
    assertThat(caption.at("/conversations/1/value").asText()).isEqualTo("A caption.");
    JsonNode qa = llava.get(1);
    assertThat(qa.get("id").asText()).isEqualTo("a".repeat(64) + "-qa");
    assertThat(qa.get("image").asText()).isEqualTo("/images/a.png");
    assertThat(qa.at("/conversations/0/from").asText()).isEqualTo("human");
    assertThat(qa.at("/conversations/0/value").asText()).isEqualTo("<image>\nQuestion 0?");
    assertThat(qa.at("/conversations/1/value").asText()).isEqualTo("Answer 0.");
    assertThat(qa.get("conversations")).hasSize(2);

    List<String> sharegpt = Files.readAllLines(out.resolve("sharegpt.jsonl"));
    assertThat(sharegpt).hasSize(2);
    JsonNode first = mapper.readTree(sharegpt.get(0));
    assertThat(first.at("/messages/0/role").asText()).isEqualTo("user");
    assertThat(first.at("/messages/0/content").asText()).startsWith("<image>");
    assertThat(first.at("/images/0").asText()).isEqualTo("/images/a.png");

    List<String> rejected = Files.readAllLines(out.resolve("rejected.jsonl"));
    assertThat(rejected).hasSize(2);
    assertThat(rejected).anySatisfy(line -> assertThat(line).contains("\"kind\":\"qa\""));
    assertThat(rejected)
        .anySatisfy(line -> assertThat(line).contains("\"kind\":\"image\"", "self_evaluation"));
    List<String> failedLines = Files.readAllLines(out.resolve("failed.jsonl"));
    assertThat(failedLines)
        .singleElement()
        .satisfies(line -> assertThat(line).contains("transport", "\"attempts\":8"));
    assertThat(Files.readAllLines(out.resolve("samples.jsonl"))).hasSize(1);

    JsonNode run = mapper.readTree(out.resolve("run.json").toFile());
    assertThat(run.at("/recipe/name").asText()).isEqualTo("allava");
    assertThat(run.at("/stages/describe/model").asText()).isEqualTo("m");
    assertThat(run.get("status").asText()).isEqualTo("completed");
  }

  @Test
  void captionSamplesAreAskedForInManyWordings() throws IOException {
    String output = Locations.asDirectory(Locations.file(out)).toString();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String id =
          dev.loupe.image.ContentHash.sha256Hex(
              ("image " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      ids.add(id);
      items.write(output, accepted(id, 1));
    }
    new Exporter(items, blobs, images, mapper, new RunManifest(Map.of("loupe", "test")))
        .export(request(output), progress -> {});

    JsonNode llava = mapper.readTree(out.resolve("llava.json").toFile());
    java.util.Set<String> wordings = new java.util.HashSet<>();
    int captions = 0;
    for (JsonNode sample : llava) {
      String id = sample.get("id").asText();
      if (id.endsWith("-caption")) {
        captions++;
        String instruction =
            sample.at("/conversations/0/value").asText().substring("<image>\n".length());
        assertThat(instruction)
            .isEqualTo(CaptionInstructions.forImage(id.replace("-caption", ""), "A caption."));
        wordings.add(instruction);
      }
    }
    assertThat(captions).isEqualTo(ids.size());
    assertThat(wordings).hasSizeGreaterThanOrEqualTo(8);
  }

  @Test
  void largeListsAreShardedAndShardsOfAnEarlierExportAreRemoved() throws IOException {
    String output = Locations.asDirectory(Locations.file(out)).toString();
    for (int i = 0; i < 5; i++) {
      items.write(output, accepted(hex(i), 1));
    }
    items.write(output, failed(hex(10)));
    ExportLimits small = new ExportLimits(2, 1 << 20, 48, 24, 224);
    Exporter sharding =
        new Exporter(items, blobs, images, mapper, new RunManifest(Map.of("loupe", "test")), small);

    ExportResult first = sharding.export(request(output), progress -> {});

    assertThat(first.files())
        .contains(
            "samples-00000.jsonl",
            "samples-00001.jsonl",
            "samples-00002.jsonl",
            "failed.jsonl",
            "sharegpt-00000.jsonl",
            "report.html")
        .doesNotContain("samples.jsonl");
    assertThat(Files.readAllLines(out.resolve("samples-00002.jsonl"))).hasSize(1);
    // Five images, a caption sample and a QA sample each: ten ShareGPT lines in five shards.
    assertThat(out.resolve("sharegpt-00004.jsonl")).exists();
    assertThat(mapper.readTree(out.resolve("run.json").toFile()).get("files"))
        .hasSize(first.files().size());

    // The same output exported without sharding: the shards go, the plain names return.
    Exporter plain =
        new Exporter(items, blobs, images, mapper, new RunManifest(Map.of("loupe", "t")));
    ExportResult second = plain.export(request(output), progress -> {});

    assertThat(second.files()).contains("samples.jsonl", "sharegpt.jsonl");
    assertThat(Files.readAllLines(out.resolve("samples.jsonl"))).hasSize(5);
    try (var listed = Files.list(out)) {
      assertThat(listed.map(path -> path.getFileName().toString()))
          .noneMatch(name -> name.matches("(samples|sharegpt|rejected|failed)-\\d{5}\\.jsonl"));
    }
  }

  @Test
  void separateConversationsMakeOneSamplePerAcceptedPair() throws IOException {
    String output = Locations.asDirectory(Locations.file(out)).toString();
    ItemRecord twoAccepted = acceptedPairs("d".repeat(64), 3, 2);
    items.write(output, twoAccepted);
    Exporter exporter =
        new Exporter(items, blobs, images, mapper, new RunManifest(Map.of("loupe", "test")));

    exporter.export(request(output, DatasetRequest.SEPARATE), progress -> {});
    JsonNode separate = mapper.readTree(out.resolve("llava.json").toFile());
    exporter.export(request(output, DatasetRequest.MULTI_TURN), progress -> {});
    JsonNode multiTurn = mapper.readTree(out.resolve("llava.json").toFile());

    assertThat(separate).hasSize(3);
    assertThat(separate.get(1).get("id").asText()).isEqualTo("d".repeat(64) + "-qa-0");
    assertThat(separate.get(2).get("id").asText()).isEqualTo("d".repeat(64) + "-qa-1");
    assertThat(separate.get(2).at("/conversations/0/value").asText())
        .isEqualTo("<image>\nQuestion 1?");
    assertThat(separate.get(2).get("conversations")).hasSize(2);
    assertThat(multiTurn).hasSize(2);
    assertThat(multiTurn.get(1).get("conversations")).hasSize(4);
    assertThat(Files.readAllLines(out.resolve("sharegpt.jsonl"))).hasSize(2);
  }

  @Test
  void reportShowsThumbnailsFiguresAndEscapedText() throws IOException {
    Path images = Files.createDirectories(out.resolve("images"));
    Files.write(images.resolve("chart.png"), dev.loupe.image.TestImages.barChartPng());
    Path outputDir = Files.createDirectories(out.resolve("run"));
    String output = Locations.asDirectory(Locations.file(outputDir)).toString();
    String chart = Locations.file(images.resolve("chart.png")).toString();
    ItemRecord sample = accepted("a".repeat(64), 1);
    items.write(
        output,
        new ItemRecord(
            sample.id(),
            sample.status(),
            null,
            null,
            null,
            new ItemRecord.Image(chart, 800, 600, "png", 10L),
            null,
            new ItemRecord.Caption("A chart </script><b>bold</b> & more.", "m", null),
            sample.qa(),
            sample.usage(),
            sample.provenance()));
    items.write(output, rejected("b".repeat(64)));
    Exporter exporter =
        new Exporter(items, blobs, this.images, mapper, new RunManifest(Map.of("loupe", "test")));

    exporter.export(request(output), progress -> {});
    String html = Files.readString(outputDir.resolve("report.html"));

    assertThat(html)
        .startsWith("<!DOCTYPE html>")
        .contains("<img src=\"data:image/jpeg;base64,")
        .contains("A chart &lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; &amp; more.")
        .doesNotContain("<b>bold</b>")
        .contains("self_evaluation", "Outcomes", "Stage latency", "Tokens by stage")
        .doesNotContain("http://", "https://");
    // The rejected image's file does not exist: it gets the placeholder, not a broken image.
    assertThat(html).contains("data:image/svg+xml;base64,");
  }

  @Test
  void reportShowsHostileFileNamesAndAnswersAsText() throws IOException {
    Path images = Files.createDirectories(out.resolve("images"));
    Path image = images.resolve("\"><img src=x onerror=alert(1)>.png");
    Files.write(image, dev.loupe.image.TestImages.barChartPng());
    // The pipeline stores the file's URI, in which the name's markup is percent-encoded.
    String uri = Locations.file(image).toString();
    Path outputDir = Files.createDirectories(out.resolve("run"));
    String output = Locations.asDirectory(Locations.file(outputDir)).toString();
    String question = "<img src=x onerror=alert(2)>?";
    String answer = "</script><script>alert(3)</script>";
    String model = "<b onmouseover=alert(4)>model</b>";
    ItemRecord sample = accepted("a".repeat(64), 0);
    items.write(
        output,
        new ItemRecord(
            sample.id(),
            sample.status(),
            null,
            null,
            null,
            new ItemRecord.Image(uri, 800, 600, "png", 10L),
            null,
            new ItemRecord.Caption("A caption.", model, null),
            List.of(
                new QaPair(
                    question,
                    "reasoning",
                    answer,
                    null,
                    Map.of("self_evaluation", new Check(true, "ok")),
                    true)),
            sample.usage(),
            sample.provenance()));
    Exporter exporter =
        new Exporter(items, blobs, this.images, mapper, new RunManifest(Map.of("loupe", "test")));

    exporter.export(request(output), progress -> {});
    Document page = Jsoup.parse(Files.readString(outputDir.resolve("report.html")));

    assertThat(page.select("img[src=x], b[onmouseover], [onerror]")).isEmpty();
    assertThat(page.select("script")).hasSize(1);
    assertThat(page.select("#gallery .file").attr("title")).isEqualTo(uri);
    assertThat(page.select("#gallery img").attr("src")).startsWith("data:image/jpeg;base64,");
    assertThat(page.select("#gallery .caption-label").text()).isEqualTo("Caption · " + model);
    assertThat(page.select("#gallery .q").text()).isEqualTo(question);
    assertThat(page.select("#gallery .a").text()).isEqualTo(answer);
  }

  private static String hex(int i) {
    return String.format("%064x", i + 1);
  }

  private ExportRequest request(String output, String conversation) {
    ExportRequest base = request(output);
    return new ExportRequest(
        base.output(),
        base.datasetId(),
        base.request().withConversation(conversation),
        base.plan(),
        base.startedAtMillis(),
        base.finishedAtMillis(),
        base.status());
  }

  private static ItemRecord acceptedPairs(String id, int questions, int acceptedPairs) {
    ItemRecord base = accepted(id, 0);
    List<QaPair> qa = new ArrayList<>();
    for (int i = 0; i < questions; i++) {
      boolean pass = i < acceptedPairs;
      qa.add(
          new QaPair(
              "Question " + i + "?",
              "reasoning",
              "Answer " + i + ".",
              null,
              Map.of("self_evaluation", new Check(pass, pass ? "ok" : "wrong")),
              pass));
    }
    return new ItemRecord(
        id,
        "accepted",
        null,
        null,
        null,
        base.image(),
        null,
        base.caption(),
        qa,
        base.usage(),
        base.provenance());
  }

  private ExportRequest request(String output) {
    RunPlan plan =
        new RunPlan(
            "allava",
            "f".repeat(64),
            512,
            1000,
            Map.of(
                "describe",
                new RunPlan.StagePlan(
                    List.of("openai"), "m", List.of("t"), 1, 100, List.of(), null)),
            Map.of("t", "e".repeat(64)));
    return new ExportRequest(
        output, "ds", DatasetRequest.of("file:///images/", output), plan, 0, 5000, "completed");
  }

  private static ModelCall call(String stage, long latency) {
    return new ModelCall(stage, "openai", "m", "t", new Usage(100, 20, 0.01), latency);
  }

  private static ItemRecord accepted(String id, int questions) {
    List<QaPair> qa = new ArrayList<>();
    for (int i = 0; i < questions; i++) {
      boolean pass = i == 0;
      qa.add(
          new QaPair(
              "Question " + i + "?",
              "reasoning",
              "Answer " + i + ".",
              null,
              Map.of("self_evaluation", new Check(pass, pass ? "ok" : "wrong")),
              pass));
    }
    return new ItemRecord(
        id,
        "accepted",
        null,
        null,
        null,
        new ItemRecord.Image("file:///images/a.png", 800, 600, "png", 10L),
        null,
        new ItemRecord.Caption("A caption.", "m", null),
        qa,
        new ItemRecord.UsageRecord(200, 40, 0.02),
        new ItemRecord.Provenance(
            "ds",
            "run",
            "allava",
            null,
            null,
            null,
            List.of(call("describe", 42), call("ask", 7))));
  }

  private static ItemRecord rejected(String id) {
    return new ItemRecord(
        id,
        "rejected",
        "self_evaluation",
        "meaningful=true, correct=false",
        null,
        new ItemRecord.Image("file:///images/b.png", 800, 600, "png", 10L),
        null,
        null,
        null,
        new ItemRecord.UsageRecord(100, 20, 0.01),
        new ItemRecord.Provenance(
            "ds", "run", "allava", null, null, null, List.of(call("describe", 40))));
  }

  private static ItemRecord failed(String id) {
    return new ItemRecord(
        id,
        "failed",
        "transport",
        "describe: connection refused",
        8,
        new ItemRecord.Image("file:///images/c.png", null, null, null, 10L),
        null,
        null,
        null,
        new ItemRecord.UsageRecord(0, 0, 0),
        new ItemRecord.Provenance("ds", "run", "allava", null, null, null, List.of()));
  }
}
