package com.plugsky.crypto.tls.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.tls.context.TlsContexts;
import com.plugsky.crypto.tls.keys.CertifiedKey;
import com.plugsky.crypto.tls.keys.TlsCredentials;
import com.plugsky.crypto.tls.keys.TrustAnchors;
import com.plugsky.crypto.tls.policy.TlsPolicy;
import com.plugsky.crypto.tls.policy.TlsProvider;
import com.plugsky.crypto.tls.server.HttpsServer;
import com.plugsky.crypto.tls.testing.Clients.Http1Connection;
import com.plugsky.crypto.tls.testing.TestPki;
import com.plugsky.crypto.tls.testing.TestPki.KeyType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * mTLS on both server providers: client CAs from PEM (BoringSSL) and PKCS#12 (JDK), a pinned
 * SPIFFE id; the right client is served, a missing, untrusted or unpinned one refused with a reason.
 */
class MutualTlsTest {
  private static final String ORDERS = "spiffe://example.org/ns/prod/sa/orders";
  private static final TestPki PKI = TestPki.create("mtls-test-ca");
  private static final TestPki OTHER_PKI = TestPki.create("mtls-other-ca");
  private static final TlsPolicy HTTP1 = TlsPolicy.builder().applicationProtocols("http/1.1").build();
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
            PKI.writeCaPkcs12(dir.resolve("clients-ca.p12"), "changeit".toCharArray()), "changeit".toCharArray());
    boringServer = serve(serverKey, TlsProvider.BORINGSSL, fromPem);
    jdkServer = serve(serverKey, TlsProvider.JDK, fromPkcs12);
  }

  private static HttpsServer serve(CertifiedKey key, TlsProvider provider, TrustAnchors clientCas) {
    return HttpsServer.builder(
            TlsContexts.server(key)
                .provider(provider)
                .requireClientCertificates(PeerVerification.builder(clientCas).pinUriSan(ORDERS).build())
                .buildNetty())
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

  private static SSLContext client(TlsCredentials certificate) {
    var builder = TlsContexts.client(SERVER_TRUST).policy(HTTP1);
    return (certificate == null ? builder : builder.clientCertificate(certificate)).buildJdk();
  }

  private static CertifiedKey clientKey(TestPki pki, String uri) {
    TestPki.Issued issued = pki.client("orders", uri);
    return CertifiedKey.of(issued.key(), issued.chain());
  }

  @ParameterizedTest
  @EnumSource(TlsProvider.class)
  void servesTheClientWithThePinnedSpiffeId(TlsProvider provider) throws Exception {
    try (Http1Connection connection = new Http1Connection(client(clientKey(PKI, ORDERS)), server(provider).port())) {
      assertThat(connection.request("GET", "/").body()).contains("client=CN=orders");
    }
  }

  @ParameterizedTest
  @EnumSource(TlsProvider.class)
  void refusesAClientWithoutCertificate(TlsProvider provider) throws Exception {
    assertRefused(provider, null, "the client sent no certificate");
  }

  @ParameterizedTest
  @EnumSource(TlsProvider.class)
  void refusesAClientFromAnotherCa(TlsProvider provider) throws Exception {
    assertRefused(provider, clientKey(OTHER_PKI, ORDERS), "the client certificate CN=orders is not trusted");
  }

  @ParameterizedTest
  @EnumSource(TlsProvider.class)
  void refusesAClientWithAnotherSpiffeId(TlsProvider provider) throws Exception {
    assertRefused(
        provider,
        clientKey(PKI, "spiffe://example.org/ns/prod/sa/billing"),
        "(URI SANs [spiffe://example.org/ns/prod/sa/billing]) matches no pinned identity (URIs [" + ORDERS + "]");
  }

  private static void assertRefused(TlsProvider provider, TlsCredentials certificate, String reason)
      throws InterruptedException {
    int before = FAILURES.size();

    // In TLS 1.3 the client finishes its handshake before the server judges its certificate, so
    // the refusal (an alert) reaches the client on its first read.
    assertThatThrownBy(
            () -> {
              try (Http1Connection connection = new Http1Connection(client(certificate), server(provider).port())) {
                connection.request("GET", "/");
              }
            })
        .isInstanceOf(IOException.class);
    await(() -> FAILURES.size() > before);
    assertThat(FAILURES.getLast().reason()).contains(reason);
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 250 && !condition.getAsBoolean(); i++) {
      Thread.sleep(20);
    }
    assertThat(condition.getAsBoolean()).as("condition within 5 s").isTrue();
  }
}
