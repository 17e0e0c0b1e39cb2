package dev.loupe.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.loupe.contract.ExportFormats;
import dev.loupe.export.ShardPlanner.PlannedShard;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dataset card ({@code README.md}) of the Parquet shards, as the Hugging Face Hub and {@code
 * datasets.load_dataset(<output>)} read it: YAML front matter with a {@code license} field for the
 * owner to set, {@code configs} ({@code default}: every shard; {@code caption} and {@code qa}: the
 * caption-only and QA subsets, which lie in shards of their own) and {@code dataset_info} (features
 * and row counts per config); then the recipe, models and counts in prose.
 */
final class DatasetCard {
  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

  private DatasetCard() {}

  /**
   * @param planned the shards, each of one subset
   * @param written Parquet rows written per subset ({@code caption}, {@code qa})
   * @param run the run's {@code run.json}, or an empty object
   */
  static String render(List<PlannedShard> planned, Map<String, Long> written, JsonNode run)
      throws IOException {
    Map<String, Long> rows = written == null ? Map.of() : written;
    long total = rows.values().stream().mapToLong(Long::longValue).sum();
    Map<String, Object> front = new LinkedHashMap<>();
    front.put("license", "unknown");
    front.put("pretty_name", prettyName(run));
    front.put("task_categories", List.of("image-text-to-text", "visual-question-answering"));
    front.put("tags", List.of("loupe", "sharegpt", "synthetic"));
    List<Map<String, Object>> configs = new ArrayList<>();
    List<Map<String, Object>> info = new ArrayList<>();
    configs.add(
        config("default", List.of(ShardLayout.folder(ExportFormats.PARQUET) + "*.parquet")));
    info.add(info("default", total));
    for (String subset : List.of("caption", "qa")) {
      List<String> files =
          planned.stream()
              .filter(shard -> shard.kind().equals(subset))
              .map(shard -> ShardLayout.shardName(ExportFormats.PARQUET, shard.index()))
              .toList();
      if (!files.isEmpty()) {
        configs.add(config(subset, files));
        info.add(info(subset, rows.getOrDefault(subset, 0L)));
      }
    }
    front.put("configs", configs);
    front.put("dataset_info", info);

    StringBuilder card = new StringBuilder();
    card.append("---\n").append(YAML.writeValueAsString(front)).append("---\n\n");
    card.append("# ").append(prettyName(run)).append("\n\n");
    card.append(
        "Vision-language training samples written by Loupe: Parquet shards with the images inside"
            + " (`images`: a list of `datasets` Image values) and the conversation in the ShareGPT /"
            + " LLaMA-Factory shape (`messages`). Load with"
            + " `datasets.load_dataset(\"parquet\", data_files=\"parquet/*.parquet\")`, or this"
            + " folder with a config: `default` (every sample), `caption` (detailed captions) or"
            + " `qa` (question-answer conversations).\n\n");
    card.append(
        "**Licence.** Set `license` above to the licence of the source images and of the model"
            + " outputs; Loupe cannot know it.\n\n");
    card.append("| subset | samples |\n|---|---|\n");
    for (var entry : rows.entrySet()) {
      card.append("| ")
          .append(entry.getKey())
          .append(" | ")
          .append(entry.getValue())
          .append(" |\n");
    }
    card.append("| all | ").append(total).append(" |\n\n");
    JsonNode recipe = run.path("recipe");
    if (!recipe.isMissingNode()) {
      card.append("**Recipe.** `")
          .append(recipe.path("name").asText())
          .append("` (sha256 `")
          .append(recipe.path("sha256").asText())
          .append("`).\n\n");
    }
    JsonNode stages = run.path("stages");
    if (stages.isObject() && !stages.isEmpty()) {
      card.append("**Models.**\n\n| stage | model |\n|---|---|\n");
      stages
          .properties()
          .forEach(
              stage ->
                  card.append("| ")
                      .append(stage.getKey())
                      .append(" | ")
                      .append(stage.getValue().path("model").asText())
                      .append(" |\n"));
      card.append('\n');
    }
    card.append("The run's full record is in `run.json` and `stats.json` beside this card.\n");
    return card.toString();
  }

  private static String prettyName(JsonNode run) {
    String dataset = run.path("dataset_id").asText("");
    return dataset.isEmpty() ? "Loupe dataset" : "Loupe dataset " + dataset;
  }

  private static Map<String, Object> config(String name, List<String> files) {
    Map<String, Object> split = new LinkedHashMap<>();
    split.put("split", "train");
    split.put("path", files.size() == 1 ? files.get(0) : files);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("config_name", name);
    config.put("data_files", List.of(split));
    return config;
  }

  private static Map<String, Object> info(String name, long rows) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("config_name", name);
    info.put(
        "features",
        List.of(
            Map.of("name", "id", "dtype", "string"),
            Map.of("name", "image_id", "dtype", "string"),
            Map.of("name", "kind", "dtype", "string"),
            Map.of(
                "name",
                "messages",
                "list",
                List.of(
                    Map.of("name", "role", "dtype", "string"),
                    Map.of("name", "content", "dtype", "string"))),
            Map.of("name", "images", "list", "image")));
    info.put("splits", List.of(Map.of("name", "train", "num_examples", rows)));
    return info;
  }
}
