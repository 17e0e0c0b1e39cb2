package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import dev.loupe.contract.BatchSettings;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.ImageWorkflow;
import io.temporal.api.history.v1.HistoryEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A call waiting in the batch lane is retried when nobody heartbeats it for its lane's heartbeat
 * timeout, which the dataset's plan holds: a task lost before it wrote its line costs that long,
 * not an hour, and running datasets keep the timeout their plan was made with.
 */
class BatchLineHeartbeatTest {
  private static final String DATASET = "dataset-heartbeat";

  @Test
  void batchLaneCallsTakeTheirLanesHeartbeatTimeout() {
    assertThat(describeHeartbeatTimeouts(new BatchSettings(10, 1_000_000, 0, 1)))
        .containsOnly(Duration.ofSeconds(BatchSettings.DEFAULT_LINE_HEARTBEAT_SECONDS));
    assertThat(describeHeartbeatTimeouts(new BatchSettings(10, 1_000_000, 0, 1, 120)))
        .containsOnly(Duration.ofMinutes(2));
  }

  @Test
  void plansMadeBeforeTheSettingKeepTheHourTheirLanesKeepAliveFor() {
    assertThat(describeHeartbeatTimeouts(new BatchSettings(10, 1_000_000, 0, 1, null)))
        .containsOnly(Duration.ofHours(1));
  }

  /** Runs a two-image dataset whose describe stage is in the lane; its describe calls' timeouts. */
  private static List<Duration> describeHeartbeatTimeouts(BatchSettings lane) {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.plan = FakePlans.describeInBatchLane(lane);
      harness.cpu.addImages(2);
      assertThat(
              harness
                  .run(DATASET, DatasetRequest.of("file:///images/", "file:///out/"))
                  .counts()
                  .accepted())
          .isEqualTo(2);
      List<Duration> timeouts =
          harness
              .client()
              .fetchHistory(ImageWorkflow.workflowId(DATASET, FakeCpuActivities.sha(0)))
              .getEvents()
              .stream()
              .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
              .map(HistoryEvent::getActivityTaskScheduledEventAttributes)
              .filter(scheduled -> scheduled.getActivityType().getName().equals("ApiDescribe"))
              .map(
                  scheduled ->
                      Duration.ofMillis(Durations.toMillis(scheduled.getHeartbeatTimeout())))
              .toList();
      assertThat(timeouts).isNotEmpty();
      return timeouts;
    }
  }
}
