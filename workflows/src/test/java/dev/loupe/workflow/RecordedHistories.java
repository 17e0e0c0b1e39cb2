package dev.loupe.workflow;

import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.ImageWorkflow;
import dev.loupe.contract.ShardExportWorkflow;
import io.temporal.common.WorkflowExecutionHistory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The recorded histories in {@code src/test/resources/histories/<workflow type>/*.json} and the
 * implementation each type replays against.
 */
final class RecordedHistories {
  /** The workflow ID every recorded dataset ran under: its children's IDs derive from it. */
  static final String DATASET_ID = "replay-1";

  /** Every workflow type, with the implementation that workers register for it. */
  static final Map<String, Class<?>> IMPLEMENTATIONS =
      Map.of(
          DatasetWorkflow.TYPE,
          DatasetWorkflowImpl.class,
          ImageWorkflow.TYPE,
          ImageWorkflowImpl.class,
          ShardExportWorkflow.TYPE,
          ShardExportWorkflowImpl.class,
          "BatchWorkflow",
          BatchWorkflowImpl.class,
          "TokenBudgetWorkflow",
          TokenBudgetWorkflowImpl.class);

  private RecordedHistories() {}

  /** The recorded files, as {@code <type>/<name>.json}, sorted. */
  static List<String> files() {
    Path root = root();
    try (Stream<Path> files = Files.walk(root, 2)) {
      return files
          .filter(file -> file.toString().endsWith(".json") && !file.getParent().equals(root))
          .map(file -> root.relativize(file).toString().replace('\\', '/'))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The workflow type of a recorded file: its directory. */
  static String typeOf(String file) {
    return file.substring(0, file.indexOf('/'));
  }

  static WorkflowExecutionHistory read(String file) {
    try {
      String json = Files.readString(root().resolve(file), StandardCharsets.UTF_8);
      return WorkflowExecutionHistory.fromJson(json, workflowIdOf(typeOf(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The workflow ID to replay a type's history under. */
  static String workflowIdOf(String type) {
    return DatasetWorkflow.TYPE.equals(type) ? DATASET_ID : DATASET_ID + "/" + type;
  }

  private static Path root() {
    try {
      return Path.of(RecordedHistories.class.getClassLoader().getResource("histories").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
