package com.plugsky.crypto.tls.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.tls.context.HandshakeFailures;
import com.plugsky.crypto.tls.context.PolicyNettyContext;
import com.plugsky.crypto.tls.context.TlsContexts;
import com.plugsky.crypto.tls.keys.CertifiedKey;
import com.plugsky.crypto.tls.keys.TrustAnchors;
import com.plugsky.crypto.tls.mtls.PeerVerification;
import com.plugsky.crypto.tls.policy.TlsCipherSuite;
import com.plugsky.crypto.tls.policy.TlsPolicy;
import com.plugsky.crypto.tls.policy.TlsProvider;
import com.plugsky.crypto.tls.testing.Clients;
import com.plugsky.crypto.tls.testing.Clients.Handshake;
import com.plugsky.crypto.tls.testing.TestPki;
import com.plugsky.crypto.tls.testing.TestPki.KeyType;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** TLS 1.3 between every pairing of providers, over loopback sockets, and TLS 1.2 refused. */
class HandshakeTest {
  private static final TestPki PKI = TestPki.create("handshake-test-ca");
  private static final PeerVerification TRUST =
      PeerVerification.trusting(TrustAnchors.of(List.of(PKI.caCertificate())));
  private static final List<HttpsServer.HandshakeFailure> FAILURES = new CopyOnWriteArrayList<>();
  private static HttpsServer boringServer;
  private static HttpsServer jdkServer;

  @BeforeAll
  static void start() {
    TestPki.Issued issued = PKI.server(KeyType.EC_P256);
    CertifiedKey key = CertifiedKey.of(issued.key(), issued.chain());
    boringServer = serve(TlsContexts.server(key).provider(TlsProvider.BORINGSSL).buildNetty());
    jdkServer = serve(TlsContexts.server(key).provider(TlsProvider.JDK).buildNetty());
  }

  private static HttpsServer serve(PolicyNettyContext context) {
    return HttpsServer.builder(context)
        .ioThreads(1)
        .onHandshakeFailure(FAILURES::add)
        .build()
        .start();
  }

  @AfterAll
  static void stop() {
    boringServer.close();
    jdkServer.close();
  }

  private static HttpsServer server(TlsProvider provider) {
    return provider == TlsProvider.BORINGSSL ? boringServer : jdkServer;
  }

  @ParameterizedTest(name = "{0} client to {1} server")
  @CsvSource({"BORINGSSL, BORINGSSL", "BORINGSSL, JDK", "JDK, BORINGSSL", "JDK, JDK"})
  void negotiatesTls13WithH2(TlsProvider client, TlsProvider server) throws Exception {
    PolicyNettyContext context = TlsContexts.client(TRUST).provider(client).buildNetty();

    Handshake handshake = Clients.handshake(context, server(server).port());

    assertThat(handshake.protocol()).isEqualTo("TLSv1.3");
    assertThat(handshake.cipherSuite()).isEqualTo("TLS_AES_128_GCM_SHA256");
    assertThat(handshake.alpn()).isEqualTo("h2");
    assertThat(handshake.serverLeaf().getSubjectX500Principal().getName())
        .isEqualTo("CN=localhost");
    assertThat(context.provider()).isEqualTo(client);
  }

  @Test
  void suiteOrderIsTheJdkServersOrTheClientsOnBoringSsl() throws Exception {
    TlsPolicy chachaFirst =
        TlsPolicy.builder()
            .cipherSuiteOrder(
                TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
                TlsCipherSuite.TLS_AES_256_GCM_SHA384,
                TlsCipherSuite.TLS_AES_128_GCM_SHA256)
            .build();
    PolicyNettyContext jdkChachaClient =
        TlsContexts.client(TRUST).provider(TlsProvider.JDK).policy(chachaFirst).buildNetty();
    PolicyNettyContext boringChachaClient =
        TlsContexts.client(TRUST).provider(TlsProvider.BORINGSSL).policy(chachaFirst).buildNetty();
    PolicyNettyContext boringClient =
        TlsContexts.client(TRUST).provider(TlsProvider.BORINGSSL).buildNetty();

    // A BoringSSL server follows the client's preference; a JDK server its own.
    assertThat(Clients.handshake(jdkChachaClient, boringServer.port()).cipherSuite())
        .isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
    assertThat(Clients.handshake(jdkChachaClient, jdkServer.port()).cipherSuite())
        .isEqualTo("TLS_AES_128_GCM_SHA256");
    // BoringSSL as a client offers its own fixed order, whatever the policy says.
    assertThat(Clients.handshake(boringChachaClient, boringServer.port()).cipherSuite())
        .isEqualTo("TLS_AES_128_GCM_SHA256");
    TestPki.Issued issued = PKI.server(KeyType.EC_P256);
    try (HttpsServer chachaServer =
        serve(
            TlsContexts.server(CertifiedKey.of(issued.key(), issued.chain()))
                .provider(TlsProvider.JDK)
                .policy(chachaFirst)
                .buildNetty())) {
      assertThat(Clients.handshake(boringClient, chachaServer.port()).cipherSuite())
          .isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
    }
  }

  @ParameterizedTest
  @CsvSource({"BORINGSSL", "JDK"})
  void refusesATls12OnlyJdkClient(TlsProvider server) throws Exception {
    SSLContext tls12 = SSLContext.getInstance("TLSv1.2");
    tls12.init(null, new javax.net.ssl.TrustManager[] {TRUST.trustManager()}, null);
    int before = FAILURES.size();

    assertThatThrownBy(
            () -> {
              try (SSLSocket socket =
                  (SSLSocket)
                      tls12.getSocketFactory().createSocket("127.0.0.1", server(server).port())) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setProtocols(new String[] {"TLSv1.2"});
                socket.setSSLParameters(parameters);
                socket.startHandshake();
              }
            })
        .isInstanceOf(SSLHandshakeException.class);
    await(() -> FAILURES.size() > before);
    assertThat(FAILURES.subList(before, FAILURES.size()))
        .anySatisfy(
            failure -> assertThat(failure.reason()).contains("TLS 1.2 and older are refused"));
  }

  @ParameterizedTest
  @EnumSource(TlsProvider.class)
  void aClientRefusesACertificateThatDoesNotNameTheHost(TlsProvider client) {
    PolicyNettyContext context = TlsContexts.client(TRUST).provider(client).buildNetty();

    assertThatThrownBy(() -> Clients.handshake(context, "elsewhere.example", boringServer.port()))
        .isInstanceOf(SSLHandshakeException.class)
        .satisfies(
            refusal ->
                assertThat(HandshakeFailures.describe(refusal))
                    .isEqualTo(
                        "the server certificate CN=localhost is not trusted: No subject alternative"
                            + " DNS name matching elsewhere.example found."));
  }

  @ParameterizedTest
  @EnumSource(TlsProvider.class)
  void withoutHostnameVerificationATrustedCertificateForAnotherNameIsAccepted(TlsProvider client)
      throws Exception {
    PolicyNettyContext context =
        TlsContexts.client(TRUST).provider(client).verifyHostname(false).buildNetty();

    Handshake handshake = Clients.handshake(context, "elsewhere.example", boringServer.port());

    assertThat(handshake.protocol()).isEqualTo("TLSv1.3");
    assertThat(handshake.serverLeaf().getSubjectX500Principal().getName())
        .isEqualTo("CN=localhost");
  }

  /** Failures are reported from the event loop, a moment after the client sees the alert. */
  static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 250 && !condition.getAsBoolean(); i++) {
      Thread.sleep(20);
    }
    assertThat(condition.getAsBoolean()).as("condition within 5 s").isTrue();
  }
}
