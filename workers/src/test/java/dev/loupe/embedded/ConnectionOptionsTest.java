package dev.loupe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.uber.m3.tally.NoopScope;
import dev.loupe.config.TemporalSettings;
import dev.loupe.tls.TestCertificates;
import dev.loupe.tls.TlsRelay;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoResponse;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection options against a gRPC server on loopback behind a TLS relay: what reaches the server
 * (API key, namespace header) and which TLS setups connect. The real Temporal server behind TLS is
 * {@code TemporalTlsIT}'s.
 */
class ConnectionOptionsTest {
  private static final String SERVER_NAME = "temporal.test";

  @TempDir static Path work;

  private static final List<Metadata> received = new CopyOnWriteArrayList<>();
  private static TestCertificates certificates;
  private static TestCertificates.PemFiles pem;
  private static Server server;
  private static TlsRelay tls;
  private static TlsRelay mtls;

  @BeforeAll
  static void start() throws Exception {
    certificates = TestCertificates.create(SERVER_NAME);
    pem = certificates.written(work.resolve("pki"));
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ServerInterceptors.intercept(new SystemInfo(), new RecordHeaders()))
            .build()
            .start();
    String target = "127.0.0.1:" + server.getPort();
    tls = TlsRelay.start(certificates.serverContext(), target, false);
    mtls = TlsRelay.start(certificates.serverContext(), target, true);
  }

  @AfterAll
  static void stop() throws Exception {
    tls.close();
    mtls.close();
    server.shutdownNow();
  }

  @Test
  void anApiKeyTravelsAsABearerTokenWithTheNamespaceOverTls() {
    TemporalSettings settings = settings(tls, pem.ca(), null, null, SERVER_NAME, "loupe.a1b2c");
    int handshakes = tls.handshakes();

    call(settings, Map.of("TEMPORAL_API_KEY", "key-123"));

    Metadata headers = received.get(received.size() - 1);
    assertThat(headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER)))
        .isEqualTo("Bearer key-123");
    assertThat(headers.get(Metadata.Key.of("temporal-namespace", Metadata.ASCII_STRING_MARSHALLER)))
        .isEqualTo("loupe.a1b2c");
    assertThat(tls.handshakes()).isGreaterThan(handshakes);
    assertThat(ConnectionOptions.describe(settings, Map.of("TEMPORAL_API_KEY", "key-123")))
        .contains("TLS, API key from TEMPORAL_API_KEY")
        .doesNotContain("key-123");
  }

  @Test
  void mutualTlsConnectsWithTheClientCertificateAndFailsWithAnUntrustedOne() throws Exception {
    call(
        settings(mtls, pem.ca(), pem.clientCert(), pem.clientKey(), SERVER_NAME, "default"),
        Map.of());

    TestCertificates.PemFiles stranger =
        certificates.withUntrustedClient().written(work.resolve("stranger"));
    TemporalSettings untrusted =
        settings(
            mtls, pem.ca(), stranger.clientCert(), stranger.clientKey(), SERVER_NAME, "default");
    assertThatThrownBy(() -> call(untrusted, Map.of())).isInstanceOf(StatusRuntimeException.class);
    TemporalSettings noCertificate = settings(mtls, pem.ca(), null, null, SERVER_NAME, "default");
    assertThatThrownBy(() -> call(noCertificate, Map.of()))
        .isInstanceOf(StatusRuntimeException.class);
  }

  @Test
  void theServerCertificateMustNameTheServer() {
    TemporalSettings wrongName = settings(tls, pem.ca(), null, null, null, "default");
    assertThatThrownBy(() -> call(wrongName, Map.of())).isInstanceOf(StatusRuntimeException.class);
  }

  @Test
  void aServerSignedByAnotherCaIsNotTrusted() throws Exception {
    TestCertificates.PemFiles otherCa =
        TestCertificates.create(SERVER_NAME).written(work.resolve("other-ca"));
    TemporalSettings settings = settings(tls, otherCa.ca(), null, null, SERVER_NAME, "default");
    assertThatThrownBy(() -> call(settings, Map.of())).isInstanceOf(StatusRuntimeException.class);
  }

  @Test
  void missingFilesAndUnsetKeyVariablesNameTheSetting() {
    TemporalSettings missingCa =
        settings(tls, work.resolve("nope.pem"), null, null, SERVER_NAME, "default");
    assertThatThrownBy(() -> ConnectionOptions.of(missingCa, Map.of(), new NoopScope()))
        .hasMessageContaining("TEMPORAL_TLS_CA")
        .hasMessageContaining("nope.pem");

    TemporalSettings namedKey =
        new TemporalSettings(
            "127.0.0.1:7233", "default", null, null, null, null, null, null, "MY_KEY");
    assertThatThrownBy(() -> ConnectionOptions.of(namedKey, Map.of(), new NoopScope()))
        .hasMessageContaining("apiKeyEnv names MY_KEY, which is not set");
  }

  @Test
  void aKeyThatIsNotPemIsRejectedWithHowToConvertIt() throws Exception {
    Path notPem = java.nio.file.Files.writeString(work.resolve("bad.key"), "not a key");
    TemporalSettings settings =
        settings(mtls, pem.ca(), pem.clientCert(), notPem, SERVER_NAME, "x");
    assertThatThrownBy(() -> ConnectionOptions.of(settings, Map.of(), new NoopScope()))
        .hasMessageContaining("TEMPORAL_TLS_KEY")
        .hasMessageContaining("PKCS#8");
  }

  private static void call(TemporalSettings settings, Map<String, String> env) {
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(ConnectionOptions.of(settings, env, new NoopScope()));
    try {
      stubs
          .blockingStub()
          .withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
          .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
    } finally {
      stubs.shutdownNow();
    }
  }

  private static TemporalSettings settings(
      TlsRelay relay, Path ca, Path cert, Path key, String serverName, String namespace) {
    return new TemporalSettings(
        relay.address(),
        namespace,
        null,
        null,
        ca == null ? null : ca.toString(),
        cert == null ? null : cert.toString(),
        key == null ? null : key.toString(),
        serverName,
        null);
  }

  private static final class SystemInfo extends WorkflowServiceGrpc.WorkflowServiceImplBase {
    @Override
    public void getSystemInfo(
        GetSystemInfoRequest request, StreamObserver<GetSystemInfoResponse> response) {
      response.onNext(GetSystemInfoResponse.getDefaultInstance());
      response.onCompleted();
    }
  }

  private static final class RecordHeaders implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      received.add(headers);
      return next.startCall(call, headers);
    }
  }
}
