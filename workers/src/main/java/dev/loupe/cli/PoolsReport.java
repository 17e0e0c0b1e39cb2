package dev.loupe.cli;

import com.google.protobuf.util.Durations;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.PollerInfo;
import io.temporal.api.taskqueue.v1.TaskQueueStats;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueResponse;
import java.util.List;
import java.util.Locale;

/** The table {@code loupe pools} prints, from DescribeTaskQueue answers (with stats). */
final class PoolsReport {
  private static final String FORMAT = "%-10s %-22s %-9s %8s %9s %8s %11s %8s  %s%n";

  /** A backlog older than this means the pool does not keep up. */
  private static final double BEHIND_SECONDS = 30;

  private PoolsReport() {}

  /** One pool's task queue and the kind of tasks to describe on it. */
  record Queue(String pool, String name, TaskQueueType type) {}

  /** A queue and what the server said of it. */
  record Row(Queue queue, DescribeTaskQueueResponse answer) {}

  static String render(List<Row> rows) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            FORMAT,
            "POOL",
            "TASK QUEUE",
            "TASKS",
            "BACKLOG",
            "AGE",
            "ADD/S",
            "DISPATCH/S",
            "POLLERS",
            "NOTE"));
    for (Row row : rows) {
      DescribeTaskQueueResponse answer = row.answer();
      boolean stats = answer.hasStats();
      TaskQueueStats stat = answer.getStats();
      long backlog = stat.getApproximateBacklogCount();
      double ageSeconds = Durations.toMillis(stat.getApproximateBacklogAge()) / 1000.0;
      int pollers =
          (int) answer.getPollersList().stream().map(PollerInfo::getIdentity).distinct().count();
      out.append(
          String.format(
              Locale.ROOT,
              FORMAT,
              row.queue().pool(),
              row.queue().name(),
              row.queue().type() == TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
                  ? "workflow"
                  : "activity",
              stats ? Long.toString(backlog) : "-",
              stats ? String.format(Locale.ROOT, "%.0fs", ageSeconds) : "-",
              stats ? String.format(Locale.ROOT, "%.1f", stat.getTasksAddRate()) : "-",
              stats ? String.format(Locale.ROOT, "%.1f", stat.getTasksDispatchRate()) : "-",
              Integer.toString(pollers),
              note(stats, backlog, ageSeconds, pollers)));
    }
    return out.toString();
  }

  private static String note(boolean stats, long backlog, double ageSeconds, int pollers) {
    if (stats && backlog > 0 && pollers == 0) {
      return "no workers poll: start this pool";
    }
    if (stats && backlog > 0 && ageSeconds >= BEHIND_SECONDS) {
      return "behind: add workers";
    }
    if (!stats) {
      return "the server reports no stats";
    }
    return "";
  }
}
