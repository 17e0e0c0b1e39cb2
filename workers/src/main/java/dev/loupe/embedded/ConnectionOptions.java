package dev.loupe.embedded;

import com.uber.m3.tally.Scope;
import dev.loupe.config.TemporalSettings;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.temporal.serviceclient.SimpleSslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The one place that turns {@link TemporalSettings} and the environment into gRPC connection
 * options, for the CLI and the workers alike: TLS with the JDK's CAs or a given CA, mTLS with a
 * client certificate, a server name to verify, and an API key sent as {@code Authorization: Bearer}
 * (with the {@code temporal-namespace} header Temporal Cloud routes by).
 */
public final class ConnectionOptions {
  private static final Metadata.Key<String> NAMESPACE_HEADER =
      Metadata.Key.of("temporal-namespace", Metadata.ASCII_STRING_MARSHALLER);

  private static final Duration SYSTEM_INFO_TIMEOUT = Duration.ofSeconds(20);

  private ConnectionOptions() {}

  /**
   * @param env where the API key is read from ({@link TemporalSettings#apiKeyEnv()})
   * @param metrics where the SDK reports its metrics
   * @throws IllegalArgumentException naming the setting that is wrong: a missing file, a key that
   *     is not PKCS#8 PEM, an API key variable that is named but unset
   */
  public static WorkflowServiceStubsOptions of(
      TemporalSettings settings, Map<String, String> env, Scope metrics) {
    String apiKey = apiKey(settings, env);
    WorkflowServiceStubsOptions.Builder options =
        WorkflowServiceStubsOptions.newBuilder()
            .setTarget(settings.address())
            .setMetricsScope(metrics)
            // The SDK's 5 s for the first call is short for a TLS handshake on a busy host.
            .setSystemInfoTimeout(SYSTEM_INFO_TIMEOUT);
    if (settings.usesTls(apiKey != null)) {
      if (settings.tlsCaFile() == null && settings.tlsCertFile() == null) {
        options.setEnableHttps(true);
      } else {
        options.setSslContext(sslContext(settings));
      }
      if (settings.tlsServerName() != null) {
        String serverName = settings.tlsServerName();
        options.setChannelInitializer(channel -> channel.overrideAuthority(serverName));
      }
    }
    if (apiKey != null) {
      options.addApiKey(() -> apiKey);
      Metadata headers = new Metadata();
      headers.put(NAMESPACE_HEADER, settings.namespace());
      options.setHeaders(headers);
    }
    return options.build();
  }

  /** A one-line description for messages: the address and how it is secured; never the key. */
  public static String describe(TemporalSettings settings, Map<String, String> env) {
    boolean hasApiKey = apiKey(settings, env) != null;
    String security =
        !settings.usesTls(hasApiKey)
            ? "plaintext"
            : settings.tlsCertFile() != null ? "mTLS" : "TLS";
    return settings.address()
        + " ("
        + security
        + (hasApiKey ? ", API key from " + settings.apiKeyEnv() : "")
        + ", namespace "
        + settings.namespace()
        + ")";
  }

  private static String apiKey(TemporalSettings settings, Map<String, String> env) {
    String value = env.get(settings.apiKeyEnv());
    if (value == null || value.isBlank()) {
      if (!TemporalSettings.DEFAULT_API_KEY_ENV.equals(settings.apiKeyEnv())) {
        throw new IllegalArgumentException(
            "temporal: apiKeyEnv names " + settings.apiKeyEnv() + ", which is not set");
      }
      return null;
    }
    return value.strip();
  }

  private static SslContext sslContext(TemporalSettings settings) {
    TrustManager trust =
        settings.tlsCaFile() == null
            ? null
            : trustManager(existing(settings.tlsCaFile(), "TEMPORAL_TLS_CA", "tlsCaFile"));
    Path certFile =
        settings.tlsCertFile() == null
            ? null
            : existing(settings.tlsCertFile(), "TEMPORAL_TLS_CERT", "tlsCertFile");
    Path keyFile =
        settings.tlsKeyFile() == null
            ? null
            : existing(settings.tlsKeyFile(), "TEMPORAL_TLS_KEY", "tlsKeyFile");
    try {
      SimpleSslContextBuilder builder;
      if (certFile != null) {
        // The builder reads its streams when it builds, so they hold the files' bytes.
        builder =
            SimpleSslContextBuilder.forPKCS8(
                new ByteArrayInputStream(Files.readAllBytes(certFile)),
                new ByteArrayInputStream(Files.readAllBytes(keyFile)));
      } else {
        builder = SimpleSslContextBuilder.noKeyOrCertChain();
      }
      if (trust != null) {
        builder.setTrustManager(trust);
      }
      return builder.build();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cannot use the Temporal client certificate and key (TEMPORAL_TLS_CERT,"
              + " TEMPORAL_TLS_KEY): "
              + e.getMessage()
              + "; both must be PEM, the key PKCS#8 (`openssl pkcs8 -topk8 -nocrypt -in key.pem`)",
          e);
    }
  }

  private static Path existing(String file, String variable, String key) {
    Path path = Path.of(file);
    if (!Files.isReadable(path)) {
      throw new IllegalArgumentException(
          "the file " + file + " of " + variable + " (temporal." + key + ") cannot be read");
    }
    return path;
  }

  private static TrustManager trustManager(Path caFile) {
    try (InputStream in = Files.newInputStream(caFile)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int index = 0;
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + index++, certificate);
      }
      if (index == 0) {
        throw new IllegalArgumentException(
            "the file " + caFile + " of TEMPORAL_TLS_CA holds no PEM certificate");
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers()[0];
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "the file " + caFile + " of TEMPORAL_TLS_CA is not a PEM certificate: " + e.getMessage(),
          e);
    }
  }
}
