package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.ImageWorkflow;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An image's probe and persist run as local activities of the workflows pool, and persist's step
 * reports the image to its dataset: each is one marker in the image's history, so an image
 * workflow's history holds only its model calls' activities besides.
 */
class ImageStepsTest {
  private static final String DATASET = "dataset-steps";

  @Test
  void allavaImagesRecordTheirModelCallsAsActivitiesAndTheirLocalStepsAsMarkers() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(3);
      DatasetResult result =
          harness.run(DATASET, DatasetRequest.of("file:///images/", "file:///out/"));

      assertThat(result.counts().accepted()).isEqualTo(3);
      assertThat(harness.cpu.persisted).hasSize(3);
      assertThat(harness.steps.reports).hasValue(3);
      List<HistoryEvent> events = imageHistory(harness, 0);
      assertThat(activityTypes(events))
          .containsExactly("ApiDescribe", "ApiAsk", "ApiAnswer", "ApiEvaluate");
      assertThat(localActivityMarkers(events)).isEqualTo(2);
      assertThat(events)
          .noneMatch(
              event ->
                  event.getEventType()
                      == EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
      // started + 1st task (3) + patch + probe + 4 calls × (3 + a task's 3) + persist + status +
      // end
      assertThat(events).hasSize(33);
    }
  }

  @Test
  void allavaInOneCallTakesTwentyOneEvents() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.plan = FakePlans.singleCall();
      harness.api.caption =
          "A bar chart in blue and red, with three bars of different heights and a legend.";
      harness.cpu.addImages(1);
      harness.run(DATASET, DatasetRequest.of("file:///images/", "file:///out/"));

      List<HistoryEvent> events = imageHistory(harness, 0);
      assertThat(activityTypes(events)).containsExactly("ApiDescribeAskAnswer", "ApiEvaluate");
      assertThat(events).hasSize(21);
    }
  }

  @Test
  void aBadImageEndsInItsLocalProbeAndIsPersistedWithTheReason() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(2);
      harness.cpu.badImages.add(harness.cpu.source.get(1).uri());
      DatasetResult result =
          harness.run(DATASET, DatasetRequest.of("file:///images/", "file:///out/"));

      assertThat(result.counts().accepted()).isEqualTo(1);
      assertThat(result.counts().rejected() + result.counts().failed()).isEqualTo(1);
      var record = harness.cpu.persisted.get(FakeCpuActivities.sha(1));
      assertThat(record.status()).isNotEqualTo(ImageStatus.ACCEPTED);
      assertThat(record.reason()).isEqualTo("bad_image");
      assertThat(record.detail()).contains("truncated");
      assertThat(activityTypes(imageHistory(harness, 1))).isEmpty();
      assertThat(harness.steps.reports).hasValue(2);
    }
  }

  @Test
  void imagesPersistedBeforeAreCountedWithoutPayingAgain() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(2);
      harness.run(DATASET, DatasetRequest.of("file:///images/", "file:///out/"));
      int calls = harness.api.calls.get();
      DatasetResult again =
          harness.run(DATASET + "-again", DatasetRequest.of("file:///images/", "file:///out/"));

      assertThat(again.counts().accepted()).isEqualTo(2);
      assertThat(harness.api.calls).hasValue(calls);
    }
  }

  private static List<HistoryEvent> imageHistory(WorkflowTestHarness harness, int image) {
    return harness
        .client()
        .fetchHistory(ImageWorkflow.workflowId(DATASET, FakeCpuActivities.sha(image)))
        .getEvents();
  }

  private static List<String> activityTypes(List<HistoryEvent> events) {
    return events.stream()
        .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
        .map(event -> event.getActivityTaskScheduledEventAttributes().getActivityType().getName())
        .toList();
  }

  private static long localActivityMarkers(List<HistoryEvent> events) {
    return events.stream()
        .filter(HistoryEvent::hasMarkerRecordedEventAttributes)
        .filter(e -> e.getMarkerRecordedEventAttributes().getMarkerName().equals("LocalActivity"))
        .count();
  }
}
