package dev.loupe.config;

import java.util.Objects;

/**
 * How to reach the Temporal server: the {@code temporal:} section, with the Temporal CLI's
 * environment variables ({@code TEMPORAL_ADDRESS}, {@code TEMPORAL_NAMESPACE}, {@code
 * TEMPORAL_TLS*}) over it. Holds no secret: the API key stays in the environment variable that
 * {@code apiKeyEnv} names.
 *
 * @param address host:port of the frontend
 * @param namespace Temporal namespace
 * @param uiUrl the Temporal UI's URL, for links the CLI prints
 * @param tls whether to connect with TLS; when absent, TLS is on as soon as a CA, a client
 *     certificate, a server name or an API key is given (as with the Temporal CLI)
 * @param tlsCaFile PEM file of the CA that signed the server's certificate (default: the JDK's
 *     trusted CAs)
 * @param tlsCertFile PEM client certificate for mTLS, with {@code tlsKeyFile}
 * @param tlsKeyFile PEM (PKCS#8) private key of the client certificate
 * @param tlsServerName the name to expect on the server's certificate, when it is not the address's
 *     host
 * @param apiKeyEnv the environment variable holding an API key (Temporal Cloud), sent as {@code
 *     Authorization: Bearer}; default {@value #DEFAULT_API_KEY_ENV}
 */
public record TemporalSettings(
    String address,
    String namespace,
    String uiUrl,
    Boolean tls,
    String tlsCaFile,
    String tlsCertFile,
    String tlsKeyFile,
    String tlsServerName,
    String apiKeyEnv) {

  public static final String DEFAULT_API_KEY_ENV = "TEMPORAL_API_KEY";
  private static final String DEFAULT_ADDRESS = "127.0.0.1:7233";

  static final TemporalSettings DEFAULT =
      new TemporalSettings(DEFAULT_ADDRESS, "default", "http://127.0.0.1:8233");

  public TemporalSettings {
    address = Objects.requireNonNullElse(address, DEFAULT_ADDRESS);
    namespace = Objects.requireNonNullElse(namespace, "default");
    apiKeyEnv = Objects.requireNonNullElse(apiKeyEnv, DEFAULT_API_KEY_ENV);
    if ((tlsCertFile == null) != (tlsKeyFile == null)) {
      throw new IllegalArgumentException(
          "temporal: a client certificate needs both tlsCertFile and tlsKeyFile"
              + " (TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY)");
    }
    if (Boolean.FALSE.equals(tls)
        && (tlsCaFile != null || tlsCertFile != null || tlsServerName != null)) {
      throw new IllegalArgumentException(
          "temporal: tls is false but TLS files or a server name are set");
    }
  }

  /** A plaintext connection to {@code address}. */
  public TemporalSettings(String address, String namespace, String uiUrl) {
    this(address, namespace, uiUrl, null, null, null, null, null, null);
  }

  /** Whether to connect with TLS, given whether an API key is present. */
  public boolean usesTls(boolean hasApiKey) {
    if (tls != null) {
      return tls;
    }
    return tlsCaFile != null || tlsCertFile != null || tlsServerName != null || hasApiKey;
  }
}
