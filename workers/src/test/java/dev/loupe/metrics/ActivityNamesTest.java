package dev.loupe.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contract.TaskQueues;
import org.junit.jupiter.api.Test;

class ActivityNamesTest {

  @Test
  void apiActivityNamesItsStageAndEndpoint() {
    assertThat(ActivityNames.of("ApiDescribe", TaskQueues.api("openai")))
        .isEqualTo(new ActivityNames("describe", "api", "openai", true));
  }

  @Test
  void captionerActivityIsAModelCallOnTheCaptionerEndpoint() {
    assertThat(ActivityNames.of("CaptionerDescribe", TaskQueues.CAPTIONER))
        .isEqualTo(new ActivityNames("describe", "captioner", "captioner", true));
  }

  @Test
  void cpuActivityIsNoModelCall() {
    assertThat(ActivityNames.of("CpuListSource", TaskQueues.CPU))
        .isEqualTo(new ActivityNames("list_source", "cpu", "", false));
  }

  @Test
  void workflowsPoolActivityIsNamedForItsPool() {
    assertThat(ActivityNames.of("WorkflowsClosedImages", TaskQueues.WORKFLOWS))
        .isEqualTo(new ActivityNames("closed_images", "workflows", "", false));
  }

  @Test
  void imageStepsAreTheirStageOnTheWorkflowsPoolThatRunsThem() {
    assertThat(ActivityNames.of("ImagePersist", TaskQueues.WORKFLOWS))
        .isEqualTo(new ActivityNames("persist", "workflows", "", false));
    assertThat(ActivityNames.of("ImageProbe", TaskQueues.WORKFLOWS))
        .isEqualTo(new ActivityNames("probe", "workflows", "", false));
  }
}
