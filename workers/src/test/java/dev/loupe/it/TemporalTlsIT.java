package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.config.TemporalSettings;
import dev.loupe.contract.DatasetResult;
import dev.loupe.embedded.RemoteTemporal;
import dev.loupe.image.TestImages;
import dev.loupe.provider.openai.FakeOpenAiServer;
import dev.loupe.tls.TestCertificates;
import dev.loupe.tls.TlsRelay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI and a worker process against a Temporal server that only speaks mTLS: the dev server
 * behind a TLS-terminating relay that requires a client certificate of its CA, configured with the
 * Temporal CLI's environment variables as a user would.
 */
class TemporalTlsIT {
  private static final String SERVER_NAME = "temporal.test";
  private static final String FAKE_KEY = "sk-test-tls-key-00000000000000000";

  @TempDir Path work;

  @Test
  void aDatasetRunsOverMutualTlsAndAClientWithoutACertificateIsToldWhy() throws Exception {
    TestCertificates certificates = TestCertificates.create(SERVER_NAME);
    TestCertificates.PemFiles pem = certificates.written(work.resolve("pki"));
    Path images = Files.createDirectories(work.resolve("images"));
    Files.write(images.resolve("chart.png"), TestImages.barChartPng());
    Files.write(images.resolve("receipt.png"), TestImages.receiptPng());
    Path out = work.resolve("out");

    try (TlsRelay relay =
            TlsRelay.start(certificates.serverContext(), TestServers.temporalAddress(), true);
        FakeOpenAiServer fake = FakeOpenAiServer.start(0, FAKE_KEY)) {
      Map<String, String> tls =
          Map.of(
              "TEMPORAL_ADDRESS", relay.address(),
              "TEMPORAL_TLS_CA", pem.ca().toString(),
              "TEMPORAL_TLS_CERT", pem.clientCert().toString(),
              "TEMPORAL_TLS_KEY", pem.clientKey().toString(),
              "TEMPORAL_TLS_SERVER_NAME", SERVER_NAME);
      Map<String, String> workerEnv = new HashMap<>(tls);
      workerEnv.put("OPENAI_API_KEY", FAKE_KEY);
      workerEnv.put("OPENAI_BASE_URL", fake.baseUrl());
      LoupeProcess worker = LoupeProcess.start(work, workerEnv, "worker", "--pool", "all");
      try {
        String id = "tls-it-" + System.nanoTime();
        LoupeProcess start =
            LoupeProcess.start(
                work, tls, "start", images.toString(), "--out", out.toString(), "--id", id);
        assertThat(start.waitFor(Duration.ofMinutes(1))).as(start.stderr()).isZero();

        TemporalSettings settings =
            new TemporalSettings(
                relay.address(),
                "default",
                null,
                null,
                pem.ca().toString(),
                pem.clientCert().toString(),
                pem.clientKey().toString(),
                SERVER_NAME,
                null);
        try (RemoteTemporal temporal = RemoteTemporal.connect(settings, Map.of())) {
          DatasetResult result =
              temporal
                  .client()
                  .newUntypedWorkflowStub(id)
                  .getResult(3, TimeUnit.MINUTES, DatasetResult.class);
          assertThat(result.counts().accepted()).isEqualTo(2);
        }
        assertThat(Files.readAllLines(out.resolve("samples.jsonl"))).hasSize(2);
        assertThat(worker.stderr())
            .contains("(mTLS, namespace default)")
            .doesNotContain("could not check the namespace's search attributes");

        LoupeProcess status = LoupeProcess.start(work, tls, "status", id);
        assertThat(status.waitFor(Duration.ofMinutes(1))).as(status.stderr()).isZero();
        assertThat(status.stdout()).contains("2/2", "completed", "2 accepted");

        Map<String, String> noCertificate = new HashMap<>(tls);
        noCertificate.remove("TEMPORAL_TLS_CERT");
        noCertificate.remove("TEMPORAL_TLS_KEY");
        LoupeProcess refused = LoupeProcess.start(work, noCertificate, "status", id);
        assertThat(refused.waitFor(Duration.ofMinutes(1))).isNotZero();
        assertThat(refused.stderr())
            .contains("cannot reach Temporal at " + relay.address() + " (TLS, namespace default)")
            .contains("TEMPORAL_TLS_");
        assertThat(relay.handshakes()).isGreaterThanOrEqualTo(3);
      } finally {
        worker.process().destroy();
        worker.waitFor(Duration.ofSeconds(45));
      }
    }
  }
}
