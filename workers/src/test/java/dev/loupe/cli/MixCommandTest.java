package dev.loupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MixCommandTest {
  @TempDir Path dir;
  private final ObjectMapper mapper = new ObjectMapper();

  private Path run(String name, int size) throws Exception {
    Path out = Files.createDirectories(dir.resolve(name));
    List<Map<String, Object>> samples = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      samples.add(
          Map.of(
              "id",
              name + "-" + i,
              "image",
              "/img/" + name + i + ".png",
              "conversations",
              List.of(
                  Map.of("from", "human", "value", "<image>\nWhat is it?"),
                  Map.of("from", "gpt", "value", "A thing."))));
    }
    mapper.writeValue(out.resolve("llava.json").toFile(), samples);
    return out;
  }

  @Test
  void mixesRunsWithWeightsIntoTheOutput() throws Exception {
    Path a = run("a", 100);
    Path b = run("b", 25);
    StringWriter err = new StringWriter();
    CommandLine line = LoupeCommand.commandLine();
    line.setErr(new PrintWriter(err));

    int exit =
        line.execute(
            "mix",
            a.toString(),
            b + "=2",
            "--out",
            dir.resolve("mixed").toString(),
            "--samples",
            "90",
            "--seed",
            "3");

    assertThat(exit).as(err.toString()).isZero();
    // √100 × 1 : √25 × 2 = 10 : 10, so 45 and 45.
    JsonNode manifest = mapper.readTree(dir.resolve("mixed/mix.json").toFile());
    assertThat(manifest.at("/sources/0/drawn").asLong()).isEqualTo(45);
    assertThat(manifest.at("/sources/1/drawn").asLong()).isEqualTo(45);
    assertThat(manifest.at("/sources/1/weight").asDouble()).isEqualTo(2.0);
    assertThat(mapper.readTree(dir.resolve("mixed/llava.json").toFile())).hasSize(90);
    assertThat(Files.readAllLines(dir.resolve("mixed/sharegpt.jsonl"))).hasSize(90);
  }

  @Test
  void aMissingRunIsNamedWithExitTwo() throws Exception {
    StringWriter err = new StringWriter();
    CommandLine line = LoupeCommand.commandLine();
    line.setErr(new PrintWriter(err));

    int exit =
        line.execute(
            "mix", dir.resolve("no-such-run").toString(), "--out", dir.resolve("m").toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("no-such-run/llava.json does not exist");
    assertThat(dir.resolve("m/llava.json")).doesNotExist();
  }

  /**
   * A run whose llava.json holds {@code longForm} unmarked and {@code short} short-answer samples.
   */
  private Path runWithTasks(String name, int longForm, int shortAnswers) throws Exception {
    Path out = Files.createDirectories(dir.resolve(name));
    List<Map<String, Object>> samples = new ArrayList<>();
    for (int i = 0; i < longForm + shortAnswers; i++) {
      Map<String, Object> sample = new java.util.LinkedHashMap<>();
      sample.put("id", name + "-" + i);
      sample.put("image", "/img/" + name + i + ".png");
      sample.put(
          "conversations",
          List.of(
              Map.of("from", "human", "value", "<image>\nWhat is it?"),
              Map.of("from", "gpt", "value", i < longForm ? "A long answer." : "A cat")));
      if (i >= longForm) {
        sample.put("task", "short_answer");
      }
      samples.add(sample);
    }
    mapper.writeValue(out.resolve("llava.json").toFile(), samples);
    return out;
  }

  @Test
  void balancesTheTaskTypesOfARunByTheSquareRootOfTheirSizeAndSaysSo() throws Exception {
    Path a = runWithTasks("a", 400, 100);
    StringWriter err = new StringWriter();
    CommandLine line = LoupeCommand.commandLine();
    line.setErr(new PrintWriter(err));
    java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
    java.io.PrintStream before = System.err;
    int exit;
    System.setErr(new java.io.PrintStream(stderr, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      exit = line.execute("mix", a.toString(), "--out", dir.resolve("mixed").toString());
    } finally {
      System.setErr(before);
    }

    assertThat(exit).as(err.toString()).isZero();
    // √400 : √100 = 2 : 1, so of 500 samples 333 long-form and 167 short answers.
    JsonNode manifest = mapper.readTree(dir.resolve("mixed/mix.json").toFile());
    assertThat(manifest.get("balance").asText()).isEqualTo("task");
    assertThat(manifest.at("/sources/0/task").asText()).isEqualTo("long_form");
    assertThat(manifest.at("/sources/0/drawn").asLong()).isEqualTo(333);
    assertThat(manifest.at("/sources/1/task").asText()).isEqualTo("short_answer");
    assertThat(manifest.at("/sources/1/drawn").asLong()).isEqualTo(167);
    String printed = stderr.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(printed).contains("[long_form]: 400 samples", "[short_answer]: 100 samples");
    long shortInMix = 0;
    for (JsonNode sample : mapper.readTree(dir.resolve("mixed/llava.json").toFile())) {
      if ("short_answer".equals(sample.path("task").asText())) {
        shortInMix++;
      }
    }
    assertThat(shortInMix).isEqualTo(167);
  }

  @Test
  void balancingByRunMakesEachRunOneSourceAndAnUnknownBalanceIsRefused() throws Exception {
    Path a = runWithTasks("a", 400, 100);
    Path b = run("b", 125);
    CommandLine line = LoupeCommand.commandLine();
    line.setErr(new PrintWriter(new StringWriter()));

    int exit =
        line.execute(
            "mix",
            a.toString(),
            b.toString(),
            "--balance",
            "run",
            "--out",
            dir.resolve("m").toString());

    assertThat(exit).isZero();
    // √500 : √125 = 2 : 1, so of 625 samples 417 and 208.
    JsonNode manifest = mapper.readTree(dir.resolve("m/mix.json").toFile());
    assertThat(manifest.get("balance").asText()).isEqualTo("run");
    assertThat(manifest.get("sources")).hasSize(2);
    assertThat(manifest.at("/sources/0/drawn").asLong()).isEqualTo(417);
    assertThat(manifest.at("/sources/1/drawn").asLong()).isEqualTo(208);

    StringWriter err = new StringWriter();
    CommandLine bad = LoupeCommand.commandLine();
    bad.setErr(new PrintWriter(err));
    assertThat(
            bad.execute(
                "mix", a.toString(), "--balance", "dataset", "--out", dir.resolve("x").toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--balance must be task or run, got 'dataset'");
  }
}
