package dev.loupe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.config.EndpointSettings.BatchConfig;
import dev.loupe.contract.BatchSettings;
import org.junit.jupiter.api.Test;

class EndpointBatchSettingsTest {

  @Test
  void absentBatchSettingsTakeTheProvidersCeilingsAndTheDefaultWaits() {
    assertThat(endpoint("openai", null).batchSettings())
        .contains(new BatchSettings(50_000, 200_000_000L, 300, 30));
    assertThat(endpoint("anthropic", null).batchSettings())
        .contains(new BatchSettings(100_000, 256_000_000L, 300, 30));
  }

  @Test
  void givenSettingsWinWithinTheCeilings() {
    assertThat(endpoint("openai", new BatchConfig(1000, 5_000_000L, 60, 10)).batchSettings())
        .contains(new BatchSettings(1000, 5_000_000L, 60, 10));
  }

  @Test
  void waitingCallsTimeOutAfterFifteenMinutesOrThreePollsUnlessConfigured() {
    assertThat(endpoint("openai", null).batchSettings().orElseThrow().lineHeartbeatTimeout())
        .isEqualTo(java.time.Duration.ofMinutes(15));
    assertThat(
            endpoint("openai", new BatchConfig(null, null, null, 600))
                .batchSettings()
                .orElseThrow()
                .lineHeartbeatSeconds())
        .isEqualTo(1800);
    assertThat(
            endpoint("gemini", new BatchConfig(null, null, null, 30, null, 300))
                .batchSettings()
                .orElseThrow()
                .lineHeartbeatSeconds())
        .isEqualTo(300);
    assertThatThrownBy(() -> endpoint("openai", new BatchConfig(null, null, null, 30, null, 60)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch.lineHeartbeatSeconds must be at least 60 and at least 3")
        .hasMessageContaining("(90): 60");
  }

  @Test
  void settingsOverTheProvidersCeilingAreRefusedNamingIt() {
    assertThatThrownBy(() -> endpoint("openai", new BatchConfig(60_000, null, null, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch.maxRequests must be within 1..50000 (the openai ceiling)");
    assertThatThrownBy(() -> endpoint("openai", new BatchConfig(null, 300_000_000L, null, null)))
        .hasMessageContaining("batch.maxBytes must be within 1..200000000");
  }

  @Test
  void anEndpointWithoutABatchApiHasNoBatchLaneAndRefusesBatchSettings() {
    assertThat(endpoint("openai-compatible", null).batchSettings()).isEmpty();
    assertThatThrownBy(() -> endpoint("openai-compatible", new BatchConfig(10, null, null, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("openai-compatible endpoint, which has no batch API");
  }

  private static EndpointSettings endpoint(String provider, BatchConfig batch) {
    return new EndpointSettings(
        provider, "https://example.test/v1", null, "m", null, null, null, null, null, batch);
  }
}
