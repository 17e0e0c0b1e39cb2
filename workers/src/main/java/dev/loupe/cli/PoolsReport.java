package dev.loupe.cli;

import com.google.protobuf.util.Durations;
import dev.loupe.contract.TaskQueues;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.PollerInfo;
import io.temporal.api.taskqueue.v1.TaskQueueStats;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The table {@code loupe pools} prints, from DescribeTaskQueue answers (with stats). */
final class PoolsReport {
  private static final String FORMAT = "%-10s %-22s %-9s %8s %9s %8s %11s %8s  %s%n";

  /** A backlog older than this means the pool does not keep up. */
  private static final double BEHIND_SECONDS = 30;

  /** A worker that polled within this many seconds still polls. */
  static final long ACTIVE_SECONDS = 90;

  private PoolsReport() {}

  /** One pool's task queue and the kind of tasks to describe on it. */
  record Queue(String pool, String name, TaskQueueType type) {}

  /** A queue and what the server said of it. */
  record Row(Queue queue, DescribeTaskQueueResponse answer) {}

  static String render(List<Row> rows) {
    return render(rows, Instant.now());
  }

  /**
   * The table as of {@code now}. POLLERS counts the worker processes that polled within {@value
   * #ACTIVE_SECONDS} s (a long poll lasts at most about a minute, so a polling worker polls again
   * sooner); the server remembers the others for minutes. Those stopped polling: on the captioner
   * queue most often because their model server is down (it suspends polling until the server
   * answers again), else because they exited.
   */
  static String render(List<Row> rows, Instant now) {
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
      Map<String, Instant> lastPolls = new HashMap<>();
      for (PollerInfo poller : answer.getPollersList()) {
        // Servers that do not report the time leave it unset: such a poller counts as polling.
        Instant last =
            poller.hasLastAccessTime()
                ? Instant.ofEpochSecond(
                    poller.getLastAccessTime().getSeconds(), poller.getLastAccessTime().getNanos())
                : now;
        lastPolls.merge(poller.getIdentity(), last, (a, b) -> a.isAfter(b) ? a : b);
      }
      Instant activeSince = now.minusSeconds(ACTIVE_SECONDS);
      int pollers = (int) lastPolls.values().stream().filter(t -> !t.isBefore(activeSince)).count();
      List<Instant> stopped =
          lastPolls.values().stream().filter(t -> t.isBefore(activeSince)).sorted().toList();
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
              stoppedNote(row.queue(), stopped, now) + note(stats, backlog, ageSeconds, pollers)));
    }
    return out.toString();
  }

  private static String stoppedNote(Queue queue, List<Instant> stopped, Instant now) {
    if (stopped.isEmpty()) {
      return "";
    }
    long seconds = Duration.between(stopped.get(stopped.size() - 1), now).toSeconds();
    return stopped.size()
        + " worker(s) stopped polling "
        + seconds
        + "s ago"
        + (queue.name().equals(TaskQueues.CAPTIONER)
            ? " (model server down: see loupe_model_server_up on the worker, or exited)"
            : " (exited)")
        + "; ";
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
