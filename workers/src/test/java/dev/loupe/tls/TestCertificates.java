package dev.loupe.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI for TLS tests: a CA, a server certificate for one DNS name signed by it, and a
 * client certificate signed by it, written as PEM files (keys as PKCS#8) the way users get them.
 */
public final class TestCertificates {
  private static final char[] PASSWORD = "test".toCharArray();

  private final KeyPair caKeys;
  private final X509Certificate ca;
  private final KeyPair serverKeys;
  private final X509Certificate server;
  private final KeyPair clientKeys;
  private final X509Certificate client;

  private TestCertificates(
      KeyPair caKeys,
      X509Certificate ca,
      KeyPair serverKeys,
      X509Certificate server,
      KeyPair clientKeys,
      X509Certificate client) {
    this.caKeys = caKeys;
    this.ca = ca;
    this.serverKeys = serverKeys;
    this.server = server;
    this.clientKeys = clientKeys;
    this.client = client;
  }

  /**
   * @param serverName the only name on the server's certificate
   */
  public static TestCertificates create(String serverName) throws GeneralSecurityException {
    try {
      KeyPair caKeys = rsa();
      X500Name caName = new X500Name("CN=Loupe Test CA");
      X509Certificate ca =
          sign(
              new JcaX509v3CertificateBuilder(
                      caName, serial(), from(), until(), caName, caKeys.getPublic())
                  .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                  .addExtension(
                      Extension.keyUsage,
                      true,
                      new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
              caKeys);
      KeyPair serverKeys = rsa();
      X509Certificate server =
          sign(
              new JcaX509v3CertificateBuilder(
                      caName,
                      serial(),
                      from(),
                      until(),
                      new X500Name("CN=" + serverName),
                      serverKeys.getPublic())
                  .addExtension(
                      Extension.subjectAlternativeName,
                      false,
                      new GeneralNames(new GeneralName(GeneralName.dNSName, serverName))),
              caKeys);
      KeyPair clientKeys = rsa();
      X509Certificate client =
          sign(
              new JcaX509v3CertificateBuilder(
                  caName,
                  serial(),
                  from(),
                  until(),
                  new X500Name("CN=loupe-worker"),
                  clientKeys.getPublic()),
              caKeys);
      return new TestCertificates(caKeys, ca, serverKeys, server, clientKeys, client);
    } catch (org.bouncycastle.operator.OperatorCreationException
        | org.bouncycastle.cert.CertIOException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /** Another CA's client certificate: one the server does not trust. */
  public TestCertificates withUntrustedClient() throws GeneralSecurityException {
    TestCertificates other = create("elsewhere.test");
    return new TestCertificates(caKeys, ca, serverKeys, server, other.clientKeys, other.client);
  }

  /** Writes ca.pem, client.pem and client.key under {@code dir}. */
  public PemFiles written(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path caFile = Files.writeString(dir.resolve("ca.pem"), pem(ca));
    Path certFile = Files.writeString(dir.resolve("client.pem"), pem(client));
    Path keyFile =
        Files.writeString(
            dir.resolve("client.key"), pem(new JcaPKCS8Generator(clientKeys.getPrivate(), null)));
    return new PemFiles(caFile, certFile, keyFile);
  }

  /** Paths of the PEM files a client is given. */
  public record PemFiles(Path ca, Path clientCert, Path clientKey) {}

  /** The server's side: its certificate and key, trusting client certificates of the CA. */
  public SSLContext serverContext() throws GeneralSecurityException, IOException {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        "server", serverKeys.getPrivate(), PASSWORD, new X509Certificate[] {server, ca});
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, PASSWORD);
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("ca", ca);
    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    return context;
  }

  private static String pem(Object object) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    }
    return text.toString();
  }

  private static KeyPair rsa() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
      throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate())));
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(System.nanoTime());
  }

  private static Date from() {
    return Date.from(Instant.now().minus(Duration.ofHours(1)));
  }

  private static Date until() {
    return Date.from(Instant.now().plus(Duration.ofDays(1)));
  }
}
