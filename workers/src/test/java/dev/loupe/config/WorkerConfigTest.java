package dev.loupe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerConfigTest {
  @TempDir Path dir;

  @Test
  void captionerAndWorkerSectionsLoadWithTheirSettings() throws IOException {
    Path file =
        write(
            """
            captioner:
              modelCommand: vllm serve Lin-Chen/ShareCaptioner --port 8001
              modelUrl: http://127.0.0.1:8001/v1
              model: share-captioner
              batchSlots: 16
              queuedCaptions: 4
              healthPath: /health
            worker:
              metricsPort: 9464
              drainSeconds: 45
              pollers:
                captioner: {autoscaling: false, maximum: 2}
                api: {minimum: 2, maximum: 50, initial: 4}
            """);

    LoupeConfig config = ConfigLoader.load(file, Map.of("TEMPORAL_ADDRESS", "temporal:7233"));

    CaptionerSettings captioner = config.captioner();
    assertThat(captioner.modelCommand())
        .isEqualTo("vllm serve Lin-Chen/ShareCaptioner --port 8001");
    assertThat(captioner.modelUrl()).isEqualTo("http://127.0.0.1:8001/v1");
    assertThat(captioner.model()).isEqualTo("share-captioner");
    assertThat(captioner.batchSlots()).isEqualTo(16);
    assertThat(captioner.activitySlots()).as("16 at the server, 4 queued").isEqualTo(20);
    assertThat(captioner.healthPath()).isEqualTo("/health");
    assertThat(config.worker().metricsPort()).isEqualTo(9464);
    assertThat(config.worker().drainSeconds()).isEqualTo(45);
    assertThat(config.worker().pollersOf("captioner"))
        .isEqualTo(new WorkerSettings.PollerSettings(false, null, 2, null));
    assertThat(config.worker().pollersOf("api"))
        .isEqualTo(new WorkerSettings.PollerSettings(true, 2, 50, 4));
    assertThat(config.worker().pollersOf("cpu").autoscaling()).isTrue();
    assertThat(config.temporal().address())
        .as("TEMPORAL_ADDRESS still wins")
        .isEqualTo("temporal:7233");
  }

  @Test
  void defaultsNeedNoCaptionerSection() throws IOException {
    LoupeConfig config = ConfigLoader.load(write("cpuConcurrency: 3\n"), Map.of());

    assertThat(config.captioner()).isNull();
    CaptionerSettings defaults = config.captionerOrDefault();
    assertThat(defaults.modelUrl()).isEqualTo("http://127.0.0.1:8000/v1");
    assertThat(defaults.batchSlots()).isEqualTo(8);
    assertThat(defaults.activitySlots()).as("as many queued as at the server").isEqualTo(16);
    assertThat(defaults.withFlags(null, null, 24, null).activitySlots()).isEqualTo(48);
    assertThat(defaults.withFlags(null, null, 24, 0).activitySlots()).isEqualTo(24);
    assertThat(defaults.timeoutSeconds()).isEqualTo(300);
    assertThat(defaults.modelCommand()).isNull();
    assertThat(config.worker().drainSeconds()).isEqualTo(30);
    assertThat(config.worker().workflowConcurrency()).isEqualTo(200);
    assertThat(config.worker().metricsPort()).isNull();
  }

  @Test
  void typoInTheCaptionerSectionIsRejectedWithItsName() throws IOException {
    Path file = write("captioner:\n  batchSlot: 4\n");

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown key 'batchSlot'");
  }

  @Test
  void invalidValuesAreRejectedWithTheReason() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(write("captioner:\n  batchSlots: 0\n"), Map.of()))
        .hasMessageContaining("batchSlots must be positive");
    assertThatThrownBy(
            () -> ConfigLoader.load(write("captioner:\n  modelUrl: localhost:8000\n"), Map.of()))
        .hasMessageContaining("modelUrl must be an http(s) URL");
    assertThatThrownBy(
            () -> ConfigLoader.load(write("captioner:\n  timeoutSeconds: 600\n"), Map.of()))
        .hasMessageContaining("at most 540");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(write("worker:\n  pollers:\n    gpu: {maximum: 2}\n"), Map.of()))
        .hasMessageContaining("unknown pool 'gpu'");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    write("worker:\n  pollers:\n    cpu: {minimum: 4, maximum: 2}\n"), Map.of()))
        .hasMessageContaining("1 <= minimum <= initial <= maximum");
  }

  @Test
  void pollerDefaultsFitASmallMaximum() {
    WorkerSettings.PollerSettings pollers = new WorkerSettings.PollerSettings(null, null, 2, null);

    assertThat(pollers).isEqualTo(new WorkerSettings.PollerSettings(true, 1, 2, 2));
  }

  @Test
  void flagsOverrideTheFile() {
    CaptionerSettings file =
        new CaptionerSettings("vllm serve a", null, "a", 4, null, null, null, null, null, null);

    CaptionerSettings merged = file.withFlags(null, "http://gpu:9000/v1", 32, null);

    assertThat(merged.modelCommand()).isEqualTo("vllm serve a");
    assertThat(merged.modelUrl()).isEqualTo("http://gpu:9000/v1");
    assertThat(merged.batchSlots()).isEqualTo(32);
    assertThat(WorkerSettings.DEFAULT.withFlags(0, 5))
        .isEqualTo(new WorkerSettings(0, 5, null, null));
  }

  private Path write(String yaml) throws IOException {
    Path file = Files.createTempFile(dir, "loupe-", ".yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
