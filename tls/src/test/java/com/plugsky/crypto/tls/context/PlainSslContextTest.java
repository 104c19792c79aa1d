package com.plugsky.crypto.tls.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.tls.keys.CertifiedKey;
import com.plugsky.crypto.tls.keys.TrustAnchors;
import com.plugsky.crypto.tls.mtls.PeerVerification;
import com.plugsky.crypto.tls.policy.TlsProvider;
import com.plugsky.crypto.tls.testing.Clients;
import com.plugsky.crypto.tls.testing.TestPki;
import com.plugsky.crypto.tls.testing.TestPki.KeyType;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** The policy on a plain JDK SSLContext: server sockets, sockets and engines start with it. */
class PlainSslContextTest {
  private static final TestPki PKI = TestPki.create("plain-test-ca");
  private static final PeerVerification TRUST =
      PeerVerification.trusting(TrustAnchors.of(List.of(PKI.caCertificate())));

  @Test
  void everyEngineAndSocketStartsWithThePolicy() throws Exception {
    TestPki.Issued issued = PKI.server(KeyType.EC_P256);
    SSLContext server = TlsContexts.server(CertifiedKey.of(issued.key(), issued.chain())).buildJdk();
    SSLEngine engine = server.createSSLEngine();

    assertThat(engine.getEnabledProtocols()).containsExactly("TLSv1.3");
    assertThat(engine.getEnabledCipherSuites())
        .containsExactly("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
    assertThat(engine.getSSLParameters().getNamedGroups()).containsExactly("x25519", "secp256r1");
    assertThat(engine.getSSLParameters().getApplicationProtocols()).containsExactly("h2", "http/1.1");
    assertThat(((SSLSocket) TlsContexts.client(TRUST).buildJdk().getSocketFactory().createSocket())
            .getSSLParameters().getEndpointIdentificationAlgorithm())
        .isEqualTo("HTTPS");
  }

  @Test
  void aPlainServerSocketServesABoringSslClientAndRefusesTls12() throws Exception {
    TestPki.Issued issued = PKI.server(KeyType.RSA_2048);
    SSLContext server = TlsContexts.server(CertifiedKey.of(issued.key(), issued.chain())).buildJdk();
    try (SSLServerSocket listener =
        (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      CompletableFuture<String> accepted = CompletableFuture.supplyAsync(() -> acceptOne(listener));

      Clients.Handshake handshake =
          Clients.handshake(TlsContexts.client(TRUST).provider(TlsProvider.BORINGSSL).buildNetty(), listener.getLocalPort());

      assertThat(handshake.protocol()).isEqualTo("TLSv1.3");
      assertThat(handshake.alpn()).isEqualTo("h2");
      assertThat(accepted.get()).isEqualTo("TLSv1.3");

      CompletableFuture.runAsync(() -> acceptOne(listener));
      SSLContext tls12 = SSLContext.getInstance("TLSv1.2");
      tls12.init(null, new javax.net.ssl.TrustManager[] {TRUST.trustManager()}, null);
      assertThatThrownBy(
              () -> {
                try (SSLSocket socket = (SSLSocket) tls12.getSocketFactory().createSocket("127.0.0.1", listener.getLocalPort())) {
                  socket.setEnabledProtocols(new String[] {"TLSv1.2"});
                  socket.startHandshake();
                }
              })
          .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }
  }

  private static String acceptOne(SSLServerSocket listener) {
    try (SSLSocket socket = (SSLSocket) listener.accept()) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      String protocol = socket.getSession().getProtocol();
      socket.getInputStream().read();
      return protocol;
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
