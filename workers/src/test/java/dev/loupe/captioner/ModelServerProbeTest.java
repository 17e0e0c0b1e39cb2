package dev.loupe.captioner;

import static org.assertj.core.api.Assertions.assertThat;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class ModelServerProbeTest {
  @StartStop private final MockWebServer server = new MockWebServer();

  private ModelServerProbe probe(String healthPath) {
    return new ModelServerProbe(new OkHttpClient(), server.url("/v1").toString(), healthPath);
  }

  @Test
  void healthEndpointAnsweringMeansUp() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).build());

    ModelServerProbe.Health health = probe(null).check();

    assertThat(health.up()).isTrue();
    assertThat(server.takeRequest().getUrl().encodedPath()).isEqualTo("/health");
  }

  @Test
  void serverWithoutHealthEndpointIsCheckedThroughItsModelList() throws Exception {
    server.enqueue(new MockResponse.Builder().code(404).build());
    server.enqueue(new MockResponse.Builder().code(200).body("{\"data\":[]}").build());
    server.enqueue(new MockResponse.Builder().code(200).body("{\"data\":[]}").build());
    ModelServerProbe probe = probe(null);

    assertThat(probe.check().up()).isTrue();
    assertThat(probe.check().up()).isTrue();

    assertThat(server.takeRequest().getUrl().encodedPath()).isEqualTo("/health");
    assertThat(server.takeRequest().getUrl().encodedPath()).isEqualTo("/v1/models");
    RecordedRequest second = server.takeRequest();
    assertThat(second.getUrl().encodedPath()).isEqualTo("/v1/models");
    assertThat(probe.healthUrl()).endsWith("/v1/models");
  }

  @Test
  void loadingServerIsDown() {
    server.enqueue(new MockResponse.Builder().code(503).build());

    ModelServerProbe.Health health = probe(null).check();

    assertThat(health.up()).isFalse();
    assertThat(health.detail()).startsWith("HTTP 503");
  }

  @Test
  void configuredHealthPathIsTheOnlyOneAsked() throws Exception {
    server.enqueue(new MockResponse.Builder().code(404).build());

    assertThat(probe("/ready").check().up()).isFalse();

    assertThat(server.takeRequest().getUrl().encodedPath()).isEqualTo("/ready");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void serverThatIsNotThereIsDown() {
    ModelServerProbe probe = probe(null);
    server.close();

    ModelServerProbe.Health health = probe.check();

    assertThat(health.up()).isFalse();
    assertThat(health.detail()).contains("/health");
  }

  @Test
  void firstListedModelIsTheServedName() {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .body("{\"object\":\"list\",\"data\":[{\"id\":\"share-captioner\"},{\"id\":\"x\"}]}")
            .build());

    assertThat(probe(null).firstModel()).contains("share-captioner");
  }
}
