package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.ShardOptions;
import dev.loupe.contract.ShardRequest;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardExportWorkflowTest {
  private static final DatasetRequest REQUEST =
      DatasetRequest.of("file:///images/", "file:///out/");

  @Test
  void everyShardOfEveryFormatIsWrittenOnceAcrossContinueAsNew() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(3);
      // 23 shards × 2 formats = 46 tasks; the harness continues as new every 10.
      harness.cpu.shardCount = 23;
      ShardOptions options = new ShardOptions(null, 10, 448, 85);

      DatasetResult result =
          harness.run(
              "ds-shards",
              REQUEST.withFormats(List.of("sharegpt", "webdataset", "parquet"), options));

      assertThat(harness.cpu.shardPlans).singleElement();
      assertThat(harness.cpu.shardPlans.get(0).formats()).containsExactly("webdataset", "parquet");
      assertThat(harness.cpu.shardPlans.get(0).options()).isEqualTo(options);
      List<String> written =
          harness.cpu.shardsWritten.stream()
              .map(request -> request.format() + "/" + request.index())
              .toList();
      assertThat(written).hasSize(46).doesNotHaveDuplicates();
      assertThat(harness.cpu.shardsWritten).extracting(ShardRequest::options).containsOnly(options);
      assertThat(harness.cpu.shardFinishes).singleElement();
      assertThat(result.files()).contains("webdataset/", "parquet/", "export-skipped.jsonl");
      assertThat(harness.cpu.exports.get(0).request().formats())
          .containsExactly("sharegpt", "webdataset", "parquet");
    }
  }

  @Test
  void withoutShardedFormatsNoShardExportRuns() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(2);

      harness.run("ds-plain", REQUEST);

      assertThat(harness.cpu.shardPlans).isEmpty();
      assertThat(harness.cpu.shardsWritten).isEmpty();
    }
  }

  @Test
  void anUnknownFormatFailsAtOnceNamingTheSupportedOnes() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      assertThatThrownBy(
              () ->
                  harness.run("ds-bad", REQUEST.withFormats(List.of("parquet", "tfrecord"), null)))
          .isInstanceOf(WorkflowFailedException.class)
          .rootCause()
          .isInstanceOf(ApplicationFailure.class)
          .hasMessageContaining("tfrecord")
          .hasMessageContaining("llava, sharegpt, webdataset, parquet");
    }
  }
}
