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
}
