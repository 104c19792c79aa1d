package com.plugsky.crypto.tls.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.tls.context.TlsClientContextBuilder;
import com.plugsky.crypto.tls.context.TlsContexts;
import com.plugsky.crypto.tls.keys.CertifiedKey;
import com.plugsky.crypto.tls.keys.TlsCredentials;
import com.plugsky.crypto.tls.keys.TrustAnchors;
import com.plugsky.crypto.tls.policy.TlsPolicy;
import com.plugsky.crypto.tls.policy.TlsProvider;
import com.plugsky.crypto.tls.server.HttpsServer;
import com.plugsky.crypto.tls.testing.Clients;
import com.plugsky.crypto.tls.testing.Clients.Http1Connection;
import com.plugsky.crypto.tls.testing.TestPki;
import com.plugsky.crypto.tls.testing.TestPki.KeyType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * mTLS on both server providers with both client providers: client CAs from PEM (BoringSSL) and
 * PKCS#12 (JDK), a pinned SPIFFE id and a pinned subject, either of which admits a client; the
 * right clients are served, a missing, untrusted or unpinned one refused with a reason.
 */
class MutualTlsTest {
  private static final String ORDERS = "spiffe://example.org/ns/prod/sa/orders";
  private static final String BILLING = "spiffe://example.org/ns/prod/sa/billing";
  private static final String PAYMENTS_SUBJECT = "CN=payments";
  private static final TestPki PKI = TestPki.create("mtls-test-ca");
  private static final TestPki OTHER_PKI = TestPki.create("mtls-other-ca");
  private static final TlsPolicy HTTP1 =
      TlsPolicy.builder().applicationProtocols("http/1.1").build();
  private static final PeerVerification SERVER_TRUST =
      PeerVerification.trusting(TrustAnchors.of(List.of(PKI.caCertificate())));
  private static final List<HttpsServer.HandshakeFailure> FAILURES = new CopyOnWriteArrayList<>();

  @TempDir static Path dir;
  private static HttpsServer boringServer;
  private static HttpsServer jdkServer;

  @BeforeAll
  static void start() {
    TestPki.Issued server = PKI.server(KeyType.EC_P256);
    CertifiedKey serverKey = CertifiedKey.of(server.key(), server.chain());
    TrustAnchors fromPem = TrustAnchors.fromPem(PKI.writeCaPem(dir.resolve("clients-ca.pem")));
    TrustAnchors fromPkcs12 =
        TrustAnchors.fromPkcs12(
            PKI.writeCaPkcs12(dir.resolve("clients-ca.p12"), "changeit".toCharArray()),
            "changeit".toCharArray());
    boringServer = serve(serverKey, TlsProvider.BORINGSSL, fromPem);
    jdkServer = serve(serverKey, TlsProvider.JDK, fromPkcs12);
  }

  private static HttpsServer serve(CertifiedKey key, TlsProvider provider, TrustAnchors clientCas) {
    PeerVerification pins =
        PeerVerification.builder(clientCas).pinUriSan(ORDERS).pinSubject(PAYMENTS_SUBJECT).build();
    return HttpsServer.builder(
            TlsContexts.server(key).provider(provider).requireClientCertificates(pins).buildNetty())
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

  private static TlsClientContextBuilder client(TlsCredentials certificate) {
    var builder = TlsContexts.client(SERVER_TRUST).policy(HTTP1);
    return certificate == null ? builder : builder.clientCertificate(certificate);
  }

  private static CertifiedKey clientKey(TestPki pki, String commonName, String uri) {
    TestPki.Issued issued = pki.client(commonName, uri);
    return CertifiedKey.of(issued.key(), issued.chain());
  }

  @ParameterizedTest(name = "{0} server, {1} client")
  @CsvSource({"BORINGSSL, BORINGSSL", "BORINGSSL, JDK", "JDK, BORINGSSL", "JDK, JDK"})
  void servesTheClientWithThePinnedSpiffeId(TlsProvider server, TlsProvider client)
      throws Exception {
    assertServed(server, client, clientKey(PKI, "orders", ORDERS), "CN=orders");
  }

  @ParameterizedTest(name = "{0} server, {1} client")
  @CsvSource({"BORINGSSL, BORINGSSL", "BORINGSSL, JDK", "JDK, BORINGSSL", "JDK, JDK"})
  void servesTheClientWithThePinnedSubjectThoughItsSpiffeIdIsNotPinned(
      TlsProvider server, TlsProvider client) throws Exception {
    assertServed(server, client, clientKey(PKI, "payments", BILLING), PAYMENTS_SUBJECT);
  }

  @ParameterizedTest(name = "{0} server, {1} client")
  @CsvSource({"BORINGSSL, BORINGSSL", "BORINGSSL, JDK", "JDK, BORINGSSL", "JDK, JDK"})
  void refusesAClientWithoutCertificate(TlsProvider server, TlsProvider client) throws Exception {
    assertRefused(server, client, null, "the client sent no certificate");
  }

  @ParameterizedTest(name = "{0} server, {1} client")
  @CsvSource({"BORINGSSL, BORINGSSL", "BORINGSSL, JDK", "JDK, BORINGSSL", "JDK, JDK"})
  void refusesAClientFromAnotherCa(TlsProvider server, TlsProvider client) throws Exception {
    assertRefused(
        server,
        client,
        clientKey(OTHER_PKI, "orders", ORDERS),
        "the client certificate CN=orders is not trusted");
  }

  @ParameterizedTest(name = "{0} server, {1} client")
  @CsvSource({"BORINGSSL, BORINGSSL", "BORINGSSL, JDK", "JDK, BORINGSSL", "JDK, JDK"})
  void refusesAClientWithNeitherPinnedSpiffeIdNorPinnedSubject(
      TlsProvider server, TlsProvider client) throws Exception {
    assertRefused(
        server,
        client,
        clientKey(PKI, "orders", BILLING),
        "the client certificate CN=orders (URI SANs ["
            + BILLING
            + "]) matches no pinned identity (URIs ["
            + ORDERS
            + "], subjects ["
            + PAYMENTS_SUBJECT
            + "])");
  }

  @ParameterizedTest(name = "{0} server, {1} client")
  @CsvSource({"BORINGSSL, BORINGSSL", "BORINGSSL, JDK", "JDK, BORINGSSL", "JDK, JDK"})
  void refusesASubjectWithMoreThanThePinnedName(TlsProvider server, TlsProvider client)
      throws Exception {
    TestPki.Issued issued = PKI.client("payments,O=Elsewhere", null);
    assertRefused(
        server,
        client,
        CertifiedKey.of(issued.key(), issued.chain()),
        "the client certificate O=Elsewhere,CN=payments (URI SANs []) matches no pinned identity");
  }

  /**
   * The server takes the client: a JDK client reads the subject the server saw from its response; a
   * BoringSSL client, which has no HTTP side here, sees the server count the handshake, which in
   * TLS 1.3 it does only after accepting the client's certificate.
   */
  private static void assertServed(
      TlsProvider server, TlsProvider client, TlsCredentials certificate, String subject)
      throws Exception {
    int failuresBefore = FAILURES.size();
    if (client == TlsProvider.JDK) {
      try (Http1Connection connection =
          new Http1Connection(client(certificate).buildJdk(), server(server).port())) {
        assertThat(connection.request("GET", "/").body()).contains("client=" + subject);
      }
    } else {
      long handshakesBefore = server(server).handshakes();
      Clients.handshake(
          client(certificate).provider(TlsProvider.BORINGSSL).buildNetty(), server(server).port());
      await(() -> server(server).handshakes() > handshakesBefore);
    }
    assertThat(FAILURES).hasSize(failuresBefore);
  }

  private static void assertRefused(
      TlsProvider server, TlsProvider client, TlsCredentials certificate, String reason)
      throws Exception {
    int before = FAILURES.size();
    long handshakesBefore = server(server).handshakes();

    // In TLS 1.3 the client finishes its handshake before the server judges its certificate, so
    // the refusal (an alert) reaches the client on its first read.
    if (client == TlsProvider.JDK) {
      assertThatThrownBy(
              () -> {
                try (Http1Connection connection =
                    new Http1Connection(client(certificate).buildJdk(), server(server).port())) {
                  connection.request("GET", "/");
                }
              })
          .isInstanceOf(IOException.class);
    } else {
      Clients.handshakeUntilClosed(
          client(certificate).provider(TlsProvider.BORINGSSL).buildNetty(), server(server).port());
    }
    await(() -> FAILURES.size() > before);
    assertThat(FAILURES.getLast().reason()).contains(reason);
    assertThat(server(server).handshakes()).isEqualTo(handshakesBefore);
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 250 && !condition.getAsBoolean(); i++) {
      Thread.sleep(20);
    }
    assertThat(condition.getAsBoolean()).as("condition within 5 s").isTrue();
  }
}
