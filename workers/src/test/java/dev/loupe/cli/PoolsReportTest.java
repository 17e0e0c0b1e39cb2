package dev.loupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.PollerInfo;
import io.temporal.api.taskqueue.v1.TaskQueueStats;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolsReportTest {

  @Test
  void backlogAgeAndDistinctPollersShowWhichPoolToScale() {
    DescribeTaskQueueResponse captioner =
        DescribeTaskQueueResponse.newBuilder()
            .setStats(
                TaskQueueStats.newBuilder()
                    .setApproximateBacklogCount(120)
                    .setApproximateBacklogAge(Durations.fromSeconds(95))
                    .setTasksAddRate(4.0f)
                    .setTasksDispatchRate(1.5f))
            .addPollers(PollerInfo.newBuilder().setIdentity("11@gpu-1"))
            .addPollers(PollerInfo.newBuilder().setIdentity("11@gpu-1"))
            .addPollers(PollerInfo.newBuilder().setIdentity("12@gpu-2"))
            .build();
    DescribeTaskQueueResponse cpu =
        DescribeTaskQueueResponse.newBuilder()
            .setStats(TaskQueueStats.newBuilder().setApproximateBacklogCount(3))
            .build();
    DescribeTaskQueueResponse old = DescribeTaskQueueResponse.newBuilder().build();

    String table =
        PoolsReport.render(
            List.of(
                row("captioner", "loupe-captioner", captioner),
                row("cpu", "loupe-cpu", cpu),
                row("workflows", "loupe-workflows", old)));

    List<String> lines = table.lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).startsWith("POOL").contains("BACKLOG", "AGE", "POLLERS");
    assertThat(lines.get(1).split("\\s+"))
        .startsWith("captioner", "loupe-captioner", "activity", "120", "95s", "4.0", "1.5", "2");
    assertThat(lines.get(1)).endsWith("behind: add workers");
    assertThat(lines.get(2)).contains("3").endsWith("no workers poll: start this pool");
    assertThat(lines.get(3).split("\\s+"))
        .startsWith("workflows", "loupe-workflows", "activity", "-", "-", "-", "-", "0");
  }

  @Test
  void captionerWorkersThatStoppedPollingAreNotCountedAndNamed() {
    Instant now = Instant.parse("2026-03-01T12:00:00Z");
    DescribeTaskQueueResponse captioner =
        DescribeTaskQueueResponse.newBuilder()
            .setStats(
                TaskQueueStats.newBuilder()
                    .setApproximateBacklogCount(40)
                    .setApproximateBacklogAge(Durations.fromSeconds(200)))
            .addPollers(polled("21@gpu-1", now.minusSeconds(5)))
            .addPollers(polled("22@gpu-2", now.minusSeconds(400)))
            .addPollers(polled("22@gpu-2", now.minusSeconds(130)))
            .build();
    DescribeTaskQueueResponse idle =
        DescribeTaskQueueResponse.newBuilder()
            .setStats(TaskQueueStats.newBuilder().setApproximateBacklogCount(7))
            .addPollers(polled("22@gpu-2", now.minusSeconds(130)))
            .build();

    List<String> lines =
        PoolsReport.render(
                List.of(
                    row("captioner", "loupe-captioner", captioner),
                    row("captioner", "loupe-captioner", idle)),
                now)
            .lines()
            .toList();

    assertThat(lines.get(1).split("\\s+")).startsWith("captioner", "loupe-captioner").contains("1");
    assertThat(lines.get(1))
        .contains("1 worker(s) stopped polling 130s ago (model server down")
        .endsWith("behind: add workers");
    assertThat(lines.get(2).split("\\s+")[7]).isEqualTo("0");
    assertThat(lines.get(2))
        .contains("1 worker(s) stopped polling 130s ago")
        .endsWith("no workers poll: start this pool");
  }

  private static PollerInfo polled(String identity, Instant at) {
    return PollerInfo.newBuilder()
        .setIdentity(identity)
        .setLastAccessTime(
            com.google.protobuf.Timestamp.newBuilder().setSeconds(at.getEpochSecond()))
        .build();
  }

  private static PoolsReport.Row row(String pool, String queue, DescribeTaskQueueResponse answer) {
    return new PoolsReport.Row(
        new PoolsReport.Queue(pool, queue, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY), answer);
  }
}
