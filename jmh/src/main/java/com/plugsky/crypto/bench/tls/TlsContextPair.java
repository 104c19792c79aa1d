package com.plugsky.crypto.bench.tls;

import com.plugsky.crypto.tls.context.TlsContexts;
import com.plugsky.crypto.tls.keys.CertifiedKey;
import com.plugsky.crypto.tls.keys.TlsCredentials;
import com.plugsky.crypto.tls.keys.TrustAnchors;
import com.plugsky.crypto.tls.mtls.PeerVerification;
import com.plugsky.crypto.tls.policy.TlsProvider;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.SSL;
import io.netty.util.ReferenceCountUtil;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * A server and a client context made either by this library ({@code TlsContexts}, the policy) or
 * straight with Netty's {@link SslContextBuilder} (raw: TLS 1.3, the same X25519/P-256 groups on
 * BoringSSL, nothing else), and the handshakes the benchmarks time.
 */
final class TlsContextPair {
  private static final String[] GROUPS = {"X25519", "P-256"};

  final SslContext server;
  final SslContext client;
  private final InMemoryTls memory = new InMemoryTls();

  private TlsContextPair(SslContext server, SslContext client) {
    this.server = server;
    this.client = client;
  }

  /** {@code engine}: boringssl or jdk; {@code key}: ec-p256 or rsa-2048. */
  static TlsContextPair policy(String engine, String key) throws Exception {
    BenchCertificates certificates = new BenchCertificates();
    KeyPair keys = BenchCertificates.keyPair(key);
    return policy(engine, CertifiedKey.of(keys.getPrivate(), certificates.serverChain(keys.getPublic())), certificates.ca());
  }

  static TlsContextPair policy(String engine, TlsCredentials credentials, X509Certificate ca) {
    TlsProvider provider = provider(engine);
    return new TlsContextPair(
        TlsContexts.server(credentials).provider(provider).buildNetty(),
        TlsContexts.client(PeerVerification.trusting(TrustAnchors.of(List.of(ca))))
            .provider(provider)
            .verifyHostname(false)
            .buildNetty());
  }

  /** {@code peer}: netty-boringssl or netty-jdk. */
  static TlsContextPair rawNetty(String peer, String key) throws Exception {
    SslProvider provider =
        switch (peer) {
          case "netty-boringssl" -> SslProvider.OPENSSL;
          case "netty-jdk" -> SslProvider.JDK;
          default -> throw new IllegalArgumentException("unknown peer " + peer);
        };
    BenchCertificates certificates = new BenchCertificates();
    KeyPair keys = BenchCertificates.keyPair(key);
    SslContextBuilder server =
        SslContextBuilder.forServer(keys.getPrivate(), certificates.serverChain(keys.getPublic()))
            .sslProvider(provider)
            .protocols("TLSv1.3");
    SslContextBuilder client =
        SslContextBuilder.forClient()
            .sslProvider(provider)
            .protocols("TLSv1.3")
            .trustManager(certificates.ca())
            .endpointIdentificationAlgorithm(null);
    if (provider == SslProvider.OPENSSL) {
      server.option(OpenSslContextOption.GROUPS, GROUPS);
      client.option(OpenSslContextOption.GROUPS, GROUPS);
    }
    return new TlsContextPair(server.build(), client.build());
  }

  private static TlsProvider provider(String engine) {
    return switch (engine) {
      case "boringssl" -> TlsProvider.BORINGSSL;
      case "jdk" -> TlsProvider.JDK;
      default -> throw new IllegalArgumentException("unknown engine " + engine);
    };
  }

  /** A handshake with no session to resume: the client engine has no peer to look one up by. */
  void fullHandshake() throws SSLException {
    handshake(client.newEngine(ByteBufAllocator.DEFAULT));
  }

  /** A handshake resuming the client's cached session for localhost:443 (primed by the setup). */
  void resumedHandshake() throws SSLException {
    handshake(client.newEngine(ByteBufAllocator.DEFAULT, "localhost", 443));
  }

  /**
   * Primes the client's session cache and checks that the next handshake resumes, where the engine
   * can tell (BoringSSL); a benchmark of "resumed" handshakes that fell back to full ones would lie.
   */
  void requireResumption() throws SSLException {
    resumedHandshake();
    SSLEngine clientEngine = client.newEngine(ByteBufAllocator.DEFAULT, "localhost", 443);
    boolean[] reused = {true};
    handshake(clientEngine, () -> {
      if (clientEngine instanceof ReferenceCountedOpenSslEngine openSsl) {
        reused[0] = SSL.isSessionReused(openSsl.sslPointer());
      }
    });
    if (!reused[0]) {
      throw new IllegalStateException("the client did not resume its session");
    }
  }

  private void handshake(SSLEngine clientEngine) throws SSLException {
    handshake(clientEngine, () -> {});
  }

  private void handshake(SSLEngine clientEngine, Runnable check) throws SSLException {
    SSLEngine serverEngine = server.newEngine(ByteBufAllocator.DEFAULT);
    try {
      memory.handshake(clientEngine, serverEngine);
      check.run();
    } finally {
      ReferenceCountUtil.release(clientEngine);
      ReferenceCountUtil.release(serverEngine);
    }
  }

  /** A connected pair for bulk transfer; release both engines when done. */
  SSLEngine[] connected() throws SSLException {
    SSLEngine clientEngine = client.newEngine(ByteBufAllocator.DEFAULT);
    SSLEngine serverEngine = server.newEngine(ByteBufAllocator.DEFAULT);
    memory.handshake(clientEngine, serverEngine);
    return new SSLEngine[] {clientEngine, serverEngine};
  }

  InMemoryTls memory() {
    return memory;
  }
}
