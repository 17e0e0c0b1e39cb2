package dev.loupe.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.common.v1.Payloads;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Payloads of DatasetWorkflow through Temporal's real data converter. */
class PayloadsTest {
  private static final DataConverter CONVERTER = DefaultDataConverter.STANDARD_INSTANCE;

  @Test
  void theRequestPastedIntoTheUiParsesWithDefaultsForWhatItLeavesOut() {
    DatasetRequest request =
        fromJson(
            "{\"source\": \"s3://b/images/\", \"output\": \"s3://b/out/\", \"failedWaitHours\": 0,"
                + " \"conversation\": \"separate\", \"lane\": \"flex\", \"addedLater\": true}",
            DatasetRequest.class);
    assertThat(request.laneOrDefault()).isEqualTo(Lane.FLEX);
    assertThat(request.source()).isEqualTo("s3://b/images/");
    assertThat(request.failedWaitHoursOrDefault()).isZero();
    assertThat(request.conversationOrDefault()).isEqualTo(DatasetRequest.SEPARATE);
    assertThat(request.windowOrDefault()).isEqualTo(DatasetRequest.DEFAULT_WINDOW);

    DatasetRequest minimal =
        fromJson("{\"source\": \"file:///i/\", \"output\": \"file:///o/\"}", DatasetRequest.class);
    assertThat(minimal.failedWaitHoursOrDefault())
        .isEqualTo(DatasetRequest.DEFAULT_FAILED_WAIT_HOURS);
    assertThat(minimal.conversationOrDefault()).isEqualTo(DatasetRequest.MULTI_TURN);
    assertThat(minimal.laneOrDefault()).isEqualTo(Lane.ONLINE);
  }

  @Test
  void aStagesLaneTravelsByItsName() {
    RunPlan.StagePlan stage =
        new RunPlan.StagePlan(
            List.of("openai"), "m", List.of("t"), 1, 100, List.of(), "api", Lane.BATCH);
    assertThat(
            new String(
                CONVERTER.toPayloads(stage).orElseThrow().getPayloads(0).getData().toByteArray(),
                StandardCharsets.UTF_8))
        .contains("\"lane\":\"batch\"");
    assertThat(roundTrip(stage, RunPlan.StagePlan.class)).isEqualTo(stage);
    assertThat(
            fromJson("{\"endpoints\": [\"e\"], \"model\": \"m\"}", RunPlan.StagePlan.class)
                .laneOrDefault())
        .isEqualTo(Lane.ONLINE);
  }

  @Test
  void carriedStateSurvivesTheRoundTrip() {
    DatasetCarry carry =
        new DatasetCarry(
            null,
            "run-1",
            "cursor-7",
            false,
            List.of(SourceItem.of("file:///i/a.png", "ab", 3)),
            new Counts(7, 5, 1, 1, 5, 100, 50, 0.25),
            1_000L,
            2,
            1);
    DatasetRequest request =
        DatasetRequest.of("file:///i/", "file:///o/")
            .withFailedWaitHours(1.5)
            .withConversation("multi_turn")
            .withLane("batch")
            .withCarry(carry);
    assertThat(roundTrip(request, DatasetRequest.class)).isEqualTo(request);
  }

  @Test
  void progressAndRetryResultRoundTrip() {
    Progress progress =
        new Progress(
            "waiting",
            10,
            true,
            10,
            8,
            1,
            1,
            0,
            8,
            100,
            50,
            0.5,
            1,
            "",
            0,
            "file:///o/",
            "2026-01-01T00:00:00Z");
    assertThat(roundTrip(progress, Progress.class)).isEqualTo(progress);
    RetryFailedResult retry = new RetryFailedResult(2, 17);
    assertThat(roundTrip(retry, RetryFailedResult.class)).isEqualTo(retry);
    ExportResult export =
        new ExportResult(
            List.of("samples.jsonl"),
            Counts.ZERO,
            List.of(new FailedImage("ab", "file:///i/a.png", "transport", "describe: refused")));
    assertThat(roundTrip(export, ExportResult.class)).isEqualTo(export);
  }

  private static <T> T roundTrip(T value, Class<T> type) {
    Optional<Payloads> payloads = CONVERTER.toPayloads(value);
    return CONVERTER.fromPayloads(0, payloads, type, type);
  }

  private static <T> T fromJson(String json, Class<T> type) {
    Payloads payloads =
        Payloads.newBuilder()
            .addPayloads(
                io.temporal.api.common.v1.Payload.newBuilder()
                    .putMetadata(
                        "encoding", com.google.protobuf.ByteString.copyFromUtf8("json/plain"))
                    .setData(com.google.protobuf.ByteString.copyFrom(json, StandardCharsets.UTF_8)))
            .build();
    return CONVERTER.fromPayloads(0, Optional.of(payloads), type, type);
  }
}
