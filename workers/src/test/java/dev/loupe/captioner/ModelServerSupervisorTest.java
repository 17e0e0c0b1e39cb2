package dev.loupe.captioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.config.CaptionerSettings;
import dev.loupe.provider.openai.FakeOpenAiServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

  @Test
  void serverThatStopsAnsweringWhileAliveIsMarkedDownThenStoppedAndRestarted() throws Exception {
    int port = FakeModelServerCommand.freePort();
    Path hang = log.resolve("hang");
    try (ModelServerSupervisor supervisor =
        new ModelServerSupervisor(
            settings(
                FakeModelServerCommand.hanging(port, hang, log.resolve("model.log")),
                "http://127.0.0.1:" + port + "/v1",
                900),
            new OkHttpClient(),
            registry,
            FAST)) {
      supervisor.start(polling);
      polling.await("resume", 1, START);
      assertThat(supervisor.name()).isEqualTo("hanging-fake");
      long hung = supervisor.serverPid();

      Files.createFile(hang);
      polling.await("suspend", 2, Duration.ofSeconds(20));
      assertThat(ProcessHandle.of(hung).map(ProcessHandle::isAlive))
          .as("down while its process lives")
          .contains(true);
      assertThat(supervisor.awaitReady(Duration.ZERO)).isFalse();

      // After FAST's hungRestartAfter (5 s) it is stopped and started again.
      polling.await("resume", 2, START);
      assertThat(supervisor.serverPid()).isNotEqualTo(hung);
      assertThat(ModelServerProcess.groupMembers(hung)).as("left of the hung server").isEmpty();
      assertThat(registry.get("loupe.model.server.restarts").counter().count()).isEqualTo(1);
      assertThat(registry.get("loupe.model.server.failed.starts").counter().count()).isZero();
      assertThat(polling.events).containsExactly("suspend", "resume", "suspend", "resume");
    }
  }

  @Test
  void serverThatExitsBeforeItFirstAnswersFailsThePoolStartWithItsLastLines() throws Exception {
    int port = FakeModelServerCommand.freePort();
    String command =
        "sh -c 'echo loading /models/missing; echo \"OSError: /models/missing: no such"
            + " directory\" >&2; exit 3'";
    try (ModelServerSupervisor supervisor =
        new ModelServerSupervisor(
            settings(command, "http://127.0.0.1:" + port + "/v1", 900),
            new OkHttpClient(),
            registry,
            FAST)) {
      supervisor.start(polling);
      assertThatThrownBy(() -> supervisor.firstStart().get(20, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(ModelServerStartException.class)
          .hasMessageContaining("exited with code 3 before it answered")
          .hasMessageContaining("loading /models/missing")
          .hasMessageContaining("OSError: /models/missing: no such directory");
      Thread.sleep(500);
      assertThat(polling.events).as("the pool never polls").containsExactly("suspend");
      assertThat(registry.get("loupe.model.server.restarts").counter().count()).isZero();
      assertThat(registry.get("loupe.model.server.failed.starts").counter().count()).isEqualTo(1);
    }
  }

  @Test
  void takenPortFailsThePoolStartBeforeTheCommandRuns() throws Exception {
    Path ran = log.resolve("ran");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ModelServerSupervisor supervisor =
            new ModelServerSupervisor(
                settings("touch " + ran, "http://127.0.0.1:" + taken.getLocalPort() + "/v1", 900),
                new OkHttpClient(),
                registry,
                FAST)) {
      supervisor.start(polling);
      assertThatThrownBy(() -> supervisor.firstStart().get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(ModelServerStartException.class)
          .hasMessageContaining("port " + taken.getLocalPort())
          .hasMessageContaining("already in use");
      assertThat(ran).doesNotExist();
      assertThat(supervisor.serverPid()).isEqualTo(-1);
      assertThat(polling.events).containsExactly("suspend");
    }
  }

  @Test
  void restartThatCannotRunKeepsTryingWithBackoffUntilItCan() throws Exception {
    int port = FakeModelServerCommand.freePort();
    AtomicInteger refusals = new AtomicInteger();
    ModelServerSupervisor.Launcher launcher =
        command -> {
          if (refusals.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            throw new IOException("Cannot run program \"/opt/vllm/bin/vllm\"");
          }
          return ModelServerProcess.start(command);
        };
    try (ModelServerSupervisor supervisor =
        new ModelServerSupervisor(
            settings(
                FakeModelServerCommand.on(port, log.resolve("model.log")),
                "http://127.0.0.1:" + port + "/v1",
                900),
            new OkHttpClient(),
            registry,
            FAST,
            launcher)) {
      supervisor.start(polling);
      polling.await("resume", 1, START);
      supervisor.firstStart().get(1, TimeUnit.SECONDS);

      refusals.set(3);
      ProcessHandle.of(supervisor.serverPid()).orElseThrow().destroyForcibly();
      polling.await("suspend", 2, Duration.ofSeconds(5));
      double waited = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (waited == 0 && System.nanoTime() - deadline < 0) {
        if (registry.get("loupe.model.server.failed.starts").counter().count() >= 1) {
          waited = registry.get("loupe.model.server.next.restart").gauge().value();
        }
        Thread.sleep(10);
      }
      assertThat(waited).as("the back-off shows while the command cannot run").isPositive();
      polling.await("resume", 2, START);

      assertThat(registry.get("loupe.model.server.failed.starts").counter().count()).isEqualTo(3);
      assertThat(registry.get("loupe.model.server.restarts").counter().count()).isEqualTo(1);
      assertThat(registry.get("loupe.model.server.next.restart").gauge().value()).isZero();
      assertThat(polling.events).containsExactly("suspend", "resume", "suspend", "resume");
    }
  }

  @Test
  void processesAKilledServerLeavesBehindAreStoppedWithItsGroup() throws Exception {
    int port = FakeModelServerCommand.freePort();
    // Like vLLM: the server (here the shell) runs the engine (the fake) as another process, which
    // a SIGKILL of the server leaves running, holding the port.
    String command = "sleep 300 & " + FakeModelServerCommand.on(port, log.resolve("model.log"));
    long second;
    try (ModelServerSupervisor supervisor =
        new ModelServerSupervisor(
            settings(command, "http://127.0.0.1:" + port + "/v1", 900),
            new OkHttpClient(),
            registry,
            FAST)) {
      supervisor.start(polling);
      polling.await("resume", 1, START);
      long first = supervisor.serverPid();
      assertThat(ModelServerProcess.groupOf(first))
          .as("a process group of its own")
          .isEqualTo(first);
      assertThat(ModelServerProcess.groupMembers(first)).hasSizeGreaterThanOrEqualTo(3);

      ProcessHandle.of(first).orElseThrow().destroyForcibly();
      polling.await("resume", 2, START);

      assertThat(ModelServerProcess.groupMembers(first)).as("left of the killed server").isEmpty();
      second = supervisor.serverPid();
      assertThat(ModelServerProcess.groupMembers(second)).hasSizeGreaterThanOrEqualTo(3);
    }
    assertThat(ModelServerProcess.groupMembers(second)).as("left after close").isEmpty();
  }

  private static CaptionerSettings settings(String command, String url, int startupSeconds) {
    return new CaptionerSettings(
        command, url, null, 2, null, null, startupSeconds, null, null, null);
  }
}
