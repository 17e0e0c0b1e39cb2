package dev.loupe.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LivenessHeartbeatsTest {
  @ActivityInterface(namePrefix = "Cpu")
  public interface Work {
    String sleep(int millis);
  }

  private static final class SleepingWork implements Work {
    @Override
    public String sleep(int millis) {
      if (millis < 0) {
        throw ApplicationFailure.newNonRetryableFailure("negative", "BAD_REQUEST");
      }
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "slept " + millis;
    }
  }

  private final AtomicInteger heartbeats = new AtomicInteger();
  private TestActivityEnvironment environment;
  private Work work;

  @BeforeEach
  void setUp() {
    environment = TestActivityEnvironment.newInstance();
    environment.setActivityHeartbeatListener(Object.class, details -> heartbeats.incrementAndGet());
    environment.registerActivitiesImplementations(
        LivenessHeartbeats.around(Work.class, new SleepingWork(), Duration.ofMillis(100)));
    work =
        environment.newActivityStub(
            Work.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(1))
                .setHeartbeatTimeout(Duration.ofSeconds(1))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
  }

  @AfterEach
  void tearDown() {
    environment.close();
  }

  @Test
  void activityThatNeverHeartbeatsOutlivesItsHeartbeatTimeout() {
    assertThat(work.sleep(2500)).isEqualTo("slept 2500");
    assertThat(heartbeats.get()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void failuresPassThroughUnchanged() {
    assertThatThrownBy(() -> work.sleep(-1))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> assertThat(failure.getType()).isEqualTo("BAD_REQUEST"));
  }
}
