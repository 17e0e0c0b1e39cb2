package dev.loupe.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS-terminating relay on loopback in front of a plaintext gRPC server (the Temporal dev server,
 * which does not speak TLS itself): it accepts TLS with ALPN {@code h2}, optionally requires a
 * client certificate its CA signed, and forwards the decrypted HTTP/2 bytes to the target.
 */
public final class TlsRelay implements AutoCloseable {
  private final SSLServerSocket socket;
  private final InetSocketAddress target;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicInteger handshakes = new AtomicInteger();

  private TlsRelay(SSLServerSocket socket, InetSocketAddress target) {
    this.socket = socket;
    this.target = target;
  }

  /**
   * @param target {@code host:port} of the plaintext server
   * @param requireClientCertificate mTLS: refuse clients without a certificate the CA signed
   */
  public static TlsRelay start(SSLContext context, String target, boolean requireClientCertificate)
      throws IOException {
    SSLServerSocket socket =
        (SSLServerSocket)
            context
                .getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setApplicationProtocols(new String[] {"h2"});
    parameters.setNeedClientAuth(requireClientCertificate);
    socket.setSSLParameters(parameters);
    int colon = target.lastIndexOf(':');
    TlsRelay relay =
        new TlsRelay(
            socket,
            new InetSocketAddress(
                target.substring(0, colon), Integer.parseInt(target.substring(colon + 1))));
    relay.threads.execute(relay::accept);
    return relay;
  }

  /** The address clients connect to. */
  public String address() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  /** TLS handshakes that completed: connections that really went through TLS. */
  public int handshakes() {
    return handshakes.get();
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        SSLSocket client = (SSLSocket) socket.accept();
        threads.execute(() -> relay(client));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void relay(SSLSocket client) {
    try (client;
        Socket upstream = new Socket()) {
      client.startHandshake();
      handshakes.incrementAndGet();
      upstream.connect(target, 5000);
      threads.execute(() -> pump(upstream, client));
      pump(client, upstream);
    } catch (IOException refused) {
      // A failed handshake (no or untrusted client certificate) or a closed peer: drop it.
    }
  }

  private static void pump(Socket from, Socket to) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      byte[] buffer = new byte[16 * 1024];
      int read;
      while ((read = in.read(buffer)) >= 0) {
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (IOException closed) {
      // One side closed: the other is closed by the caller's try-with-resources.
    } finally {
      try {
        to.close();
        from.close();
      } catch (IOException ignored) {
        // Already closed.
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
    threads.shutdownNow();
  }
}
