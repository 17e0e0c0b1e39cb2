package dev.loupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a run's output files say about its input: every input image must appear exactly once, as an
 * accepted sample, a rejected image (with its reason) or a failed image (with its failure type),
 * and no sample twice. Reads {@code samples*.jsonl}, {@code rejected*.jsonl} (image lines) and
 * {@code failed*.jsonl}.
 *
 * @param inputs input files
 * @param accepted images with a sample
 * @param rejected rejected images by reason
 * @param failed failed images by failure type
 * @param problems every violation found; empty when the outputs account for each input once
 */
public record OutputCheck(
    int inputs,
    int accepted,
    Map<String, Integer> rejected,
    Map<String, Integer> failed,
    List<String> problems) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static OutputCheck of(Path images, Path out) throws IOException {
    Set<String> inputs = new HashSet<>();
    try (Stream<Path> files = Files.list(images)) {
      files
          .filter(Files::isRegularFile)
          .map(f -> f.getFileName().toString())
          .filter(name -> !name.startsWith("."))
          .forEach(inputs::add);
    }
    Map<String, Integer> seen = new HashMap<>();
    Set<String> sampleIds = new HashSet<>();
    List<String> problems = new ArrayList<>();
    Map<String, Integer> rejected = new TreeMap<>();
    Map<String, Integer> failed = new TreeMap<>();
    int accepted = 0;
    for (JsonNode sample : lines(out, "samples")) {
      accepted++;
      seen.merge(fileName(sample.at("/image/uri").asText()), 1, Integer::sum);
      if (!sampleIds.add(sample.path("id").asText())) {
        problems.add("sample " + sample.path("id").asText() + " appears twice");
      }
    }
    for (JsonNode line : lines(out, "rejected")) {
      if (!"image".equals(line.path("kind").asText())) {
        continue;
      }
      String reason = line.path("reason").asText("");
      if (reason.isBlank()) {
        problems.add("rejected " + line.path("image").asText() + " has no reason");
      }
      rejected.merge(reason, 1, Integer::sum);
      seen.merge(fileName(line.path("image").asText()), 1, Integer::sum);
    }
    for (JsonNode line : lines(out, "failed")) {
      String type = line.path("failure_type").asText("");
      if (type.isBlank() || line.path("message").asText("").isBlank()) {
        problems.add("failed " + line.path("image").asText() + " has no failure type or message");
      }
      failed.merge(type, 1, Integer::sum);
      seen.merge(fileName(line.path("image").asText()), 1, Integer::sum);
    }
    for (String input : inputs) {
      int count = seen.getOrDefault(input, 0);
      if (count != 1) {
        problems.add(input + " appears " + count + " times in the outputs");
      }
    }
    for (String name : seen.keySet()) {
      if (!inputs.contains(name)) {
        problems.add(name + " is in the outputs but not among the inputs");
      }
    }
    return new OutputCheck(inputs.size(), accepted, rejected, failed, problems);
  }

  public int rejectedTotal() {
    return rejected.values().stream().mapToInt(Integer::intValue).sum();
  }

  public int failedTotal() {
    return failed.values().stream().mapToInt(Integer::intValue).sum();
  }

  @Override
  public String toString() {
    return inputs
        + " inputs: "
        + accepted
        + " accepted, rejected "
        + rejected
        + ", failed "
        + failed
        + (problems.isEmpty() ? "" : "; PROBLEMS " + problems);
  }

  /** The lines of {@code <prefix>.jsonl} and its shards {@code <prefix>-NNNNN.jsonl}. */
  private static List<JsonNode> lines(Path out, String prefix) throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(out)) {
      for (Path file :
          files
              .filter(
                  f -> {
                    String name = f.getFileName().toString();
                    return name.endsWith(".jsonl")
                        && (name.equals(prefix + ".jsonl") || name.startsWith(prefix + "-"));
                  })
              .sorted()
              .toList()) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (!line.isBlank()) {
            lines.add(JSON.readTree(line));
          }
        }
      }
    }
    return lines;
  }

  private static String fileName(String uri) {
    String path = uri.startsWith("file:") ? URI.create(uri).getPath() : uri;
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
