package dev.loupe.captioner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.config.CaptionerSettings;
import dev.loupe.provider.openai.FakeOpenAiServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor against real servers: a child JVM it starts, or one it attaches to. */
class ModelServerSupervisorTest {
  private static final ModelServerSupervisor.Timing FAST =
      new ModelServerSupervisor.Timing(
          Duration.ofMillis(100),
          2,
          Duration.ofSeconds(5),
          Duration.ofMillis(200),
          Duration.ofSeconds(1),
          Duration.ofMinutes(1));
  private static final Duration START = Duration.ofSeconds(60);

  @TempDir Path log;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RecordingSwitch polling = new RecordingSwitch();

  @Test
  void pollsOnlyWhileTheStartedServerAnswersAndRestartsItWhenItDies() throws Exception {
    int port = FakeModelServerCommand.freePort();
    CaptionerSettings settings =
        settings(
            FakeModelServerCommand.on(port, log.resolve("model.log")),
            "http://127.0.0.1:" + port + "/v1",
            900);
    try (ModelServerSupervisor supervisor =
        new ModelServerSupervisor(settings, new OkHttpClient(), registry, FAST)) {
      supervisor.start(polling);
      assertThat(polling.events).first().isEqualTo("suspend");

      polling.await("resume", 1, START);
      assertThat(supervisor.isUp()).isTrue();
      assertThat(supervisor.awaitReady(Duration.ZERO)).isTrue();
      assertThat(supervisor.name()).isEqualTo("fake-model");
      long firstPid = supervisor.serverPid();

      ProcessHandle.of(firstPid).orElseThrow().destroyForcibly();
      polling.await("suspend", 2, Duration.ofSeconds(5));
      assertThat(supervisor.awaitReady(Duration.ZERO)).isFalse();
      polling.await("resume", 2, START);

      assertThat(supervisor.serverPid()).isNotEqualTo(firstPid);
      assertThat(registry.get("loupe.model.server.restarts").counter().count()).isEqualTo(1);
      assertThat(registry.get("loupe.model.server.downtime").timer().count()).isEqualTo(1);
      assertThat(registry.get("loupe.model.server.up").gauge().value()).isEqualTo(1);
      assertThat(polling.events).containsExactly("suspend", "resume", "suspend", "resume");
    }
    assertThat(registry.get("loupe.model.server.up").gauge().value()).isZero();
  }

  @Test
  void attachedServerIsWatchedButNeverRestarted() throws Exception {
    FakeOpenAiServer fake = FakeOpenAiServer.start();
    int port = fake.port();
    CaptionerSettings settings = settings(null, fake.baseUrl(), 900);
    try (ModelServerSupervisor supervisor =
        new ModelServerSupervisor(settings, new OkHttpClient(), registry, FAST)) {
      supervisor.start(polling);
      polling.await("resume", 1, Duration.ofSeconds(10));

      fake.close();
      polling.await("suspend", 2, Duration.ofSeconds(10));
      assertThat(supervisor.isUp()).isFalse();

      try (FakeOpenAiServer again = FakeOpenAiServer.start(port, null)) {
        polling.await("resume", 2, Duration.ofSeconds(10));
        assertThat(again.port()).isEqualTo(port);
        assertThat(registry.get("loupe.model.server.restarts").counter().count()).isZero();
        assertThat(supervisor.serverPid()).isEqualTo(-1);
      }
    }
  }

  @Test
  void serverThatNeverAnswersIsRestartedAfterItsStartupTime() throws Exception {
    int port = FakeModelServerCommand.freePort();
    CaptionerSettings settings = settings("sleep 60", "http://127.0.0.1:" + port + "/v1", 1);
    try (ModelServerSupervisor supervisor =
        new ModelServerSupervisor(settings, new OkHttpClient(), registry, FAST)) {
      supervisor.start(polling);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (registry.get("loupe.model.server.restarts").counter().count() < 1) {
        assertThat(deadline - System.nanoTime()).as("restarted within 20 s").isPositive();
        Thread.sleep(50);
      }
      assertThat(polling.events).containsOnly("suspend");
    }
  }

  private static CaptionerSettings settings(String command, String url, int startupSeconds) {
    return new CaptionerSettings(command, url, null, 2, null, null, startupSeconds, null, null);
  }
}
