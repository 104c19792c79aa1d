package com.plugsky.crypto.tls.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.KeyPairType;
import com.plugsky.crypto.tls.context.TlsContexts;
import com.plugsky.crypto.tls.keys.TrustAnchors;
import com.plugsky.crypto.tls.mtls.PeerVerification;
import com.plugsky.crypto.tls.policy.TlsProvider;
import com.plugsky.crypto.tls.server.HttpsServer;
import com.plugsky.crypto.tls.testing.Clients;
import com.plugsky.crypto.tls.testing.SoftHsm;
import com.plugsky.crypto.tls.testing.TestPki;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A BoringSSL server whose key never leaves SoftHSM2 serves TLS 1.3 handshakes. */
class HsmServerKeyIT {
  private static final TestPki PKI = TestPki.create("hsm-test-ca");
  private static final PeerVerification TRUST =
      PeerVerification.trusting(TrustAnchors.of(List.of(PKI.caCertificate())));
  private static Hsm hsm;

  @BeforeAll
  static void open() {
    hsm = Hsm.open(SoftHsm.get().config());
  }

  @AfterAll
  static void close() {
    hsm.close();
  }

  private static HsmKey generate(KeyPairType type) {
    HsmKey key = HsmKey.label("tls-" + type + "-" + UUID.randomUUID());
    hsm.generateKeyPair(key, type);
    return key;
  }

  private static HsmServerKey serverKey(HsmKey key) {
    return HsmServerKey.of(hsm, key, PKI.serverChainFor(hsm.publicKey(key)));
  }

  @ParameterizedTest(name = "{0} key, {1} client")
  @CsvSource({
    "EC_P256, BORINGSSL",
    "EC_P256, JDK",
    "EC_P384, BORINGSSL",
    "RSA_2048, BORINGSSL",
    "RSA_2048, JDK"
  })
  void servesHandshakesSignedInTheHsm(KeyPairType type, TlsProvider client) throws Exception {
    HsmKey inToken = generate(type);
    try (HttpsServer server =
        HttpsServer.builder(
                TlsContexts.server(serverKey(inToken)).provider(TlsProvider.BORINGSSL).buildNetty())
            .ioThreads(1)
            .build()
            .start()) {
      for (int i = 0; i < 3; i++) {
        Clients.Handshake handshake =
            Clients.handshake(
                TlsContexts.client(TRUST).provider(client).buildNetty(), server.port());

        assertThat(handshake.protocol()).isEqualTo("TLSv1.3");
        // The handshake verified, so the HSM signed with the private half of this public key.
        assertThat(handshake.serverLeaf().getPublicKey().getEncoded())
            .isEqualTo(hsm.publicKey(inToken).getEncoded());
      }
      // A fresh client context each time, so none resumed: the HSM signed three times. The server
      // counts a handshake when the client's Finished arrives, just after the client is done.
      for (int i = 0; i < 250 && server.handshakes() < 3; i++) {
        Thread.sleep(20);
      }
      assertThat(server.handshakes()).isEqualTo(3);
    }
  }

  @Test
  void signaturesRunOnTheExecutorGivenForDelegatedTasks() throws Exception {
    HsmKey inToken = generate(KeyPairType.EC_P256);
    AtomicInteger tasks = new AtomicInteger();
    Set<String> signingThreads = ConcurrentHashMap.newKeySet();
    ExecutorService hsmThreads =
        Executors.newSingleThreadExecutor(task -> new Thread(task, "hsm-signer"));
    Executor counting =
        task ->
            hsmThreads.execute(
                () -> {
                  tasks.incrementAndGet();
                  signingThreads.add(Thread.currentThread().getName());
                  task.run();
                });
    try (HttpsServer server =
        HttpsServer.builder(
                TlsContexts.server(serverKey(inToken)).provider(TlsProvider.BORINGSSL).buildNetty())
            .ioThreads(1)
            .delegatedTasks(counting)
            .build()
            .start()) {
      Clients.Handshake handshake =
          Clients.handshake(
              TlsContexts.client(TRUST).provider(TlsProvider.BORINGSSL).buildNetty(),
              server.port());

      assertThat(handshake.protocol()).isEqualTo("TLSv1.3");
      assertThat(tasks.get()).as("delegated tasks, the HSM signature among them").isPositive();
      assertThat(signingThreads).containsExactly("hsm-signer");
    } finally {
      hsmThreads.shutdownNow();
    }
  }

  @Test
  void refusesACertificateForAnotherKey() {
    HsmKey key = HsmKey.label("tls-mismatch-" + UUID.randomUUID());
    hsm.generateKeyPair(key, KeyPairType.EC_P256);
    List<java.security.cert.X509Certificate> other =
        PKI.serverChainFor(TestPki.generate(TestPki.KeyType.EC_P256).getPublic());

    assertThatThrownBy(() -> HsmServerKey.of(hsm, key, other))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("is not for the HSM key label=tls-mismatch-");
  }

  @Test
  void theJdkProviderRefusesAnHsmKeyClearly() {
    HsmServerKey key = serverKey(generate(KeyPairType.EC_P256));

    assertThatThrownBy(() -> TlsContexts.server(key).provider(TlsProvider.JDK).buildNetty())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("HSM-held key signs through BoringSSL");
  }
}
