package dev.loupe.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.config.EndpointSettings;
import io.temporal.worker.WorkerOptions;
import org.junit.jupiter.api.Test;

class PoolRegistrarTest {
  private static final io.temporal.worker.tuning.PollerBehavior POLLERS =
      new io.temporal.worker.tuning.PollerBehaviorSimpleMaximum(5);

  @Test
  void requestsPerMinuteBecomesTheQueuesActivitiesPerSecond() {
    WorkerOptions options = PoolRegistrar.apiWorkerOptions(endpoint(8, 90), POLLERS);

    assertThat(options.getMaxTaskQueueActivitiesPerSecond()).isEqualTo(1.5);
    assertThat(options.getMaxConcurrentActivityExecutionSize()).isEqualTo(8);
    assertThat(options.isUsingVirtualThreadsOnActivityWorker()).isTrue();
  }

  @Test
  void withoutALimitTheQueueIsNotThrottled() {
    WorkerOptions options = PoolRegistrar.apiWorkerOptions(endpoint(8, null), POLLERS);

    assertThat(options.getMaxTaskQueueActivitiesPerSecond())
        .isEqualTo(WorkerOptions.newBuilder().build().getMaxTaskQueueActivitiesPerSecond());
  }

  private static EndpointSettings endpoint(int concurrency, Integer requestsPerMinute) {
    return new EndpointSettings(
        "openai",
        "https://api.openai.com/v1",
        null,
        "gpt-4.1-mini",
        null,
        concurrency,
        null,
        requestsPerMinute,
        null);
  }
}
