package com.plugsky.crypto.tls.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.tls.context.TlsContexts;
import com.plugsky.crypto.tls.mtls.PeerVerification;
import com.plugsky.crypto.tls.policy.TlsPolicy;
import com.plugsky.crypto.tls.policy.TlsProvider;
import com.plugsky.crypto.tls.server.HttpsServer;
import com.plugsky.crypto.tls.testing.Clients;
import com.plugsky.crypto.tls.testing.Clients.Http1Connection;
import com.plugsky.crypto.tls.testing.TestPki;
import com.plugsky.crypto.tls.testing.TestPki.KeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Certificate rotation on disk while a server runs and a connection stays open. */
class ReloadingCredentialsTest {
  private static final TestPki PKI = TestPki.create("reload-test-ca");
  private static final PeerVerification TRUST =
      PeerVerification.trusting(TrustAnchors.of(List.of(PKI.caCertificate())));

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(TlsProvider.class)
  void newConnectionsGetTheNewCertificateWhileOldOnesStayUp(TlsProvider provider) throws Exception {
    TestPki.PemFiles live = PKI.server(KeyType.EC_P256, "first", null).writePem(dir, "live");
    List<RuntimeException> failures = new CopyOnWriteArrayList<>();
    TlsPolicy http1 = TlsPolicy.builder().applicationProtocols("http/1.1").build();
    SSLContext client = TlsContexts.client(TRUST).policy(http1).buildJdk();
    try (ReloadingCredentials credentials =
            ReloadingCredentials.watchPem(
                live.certificate(), live.key(), Duration.ofMillis(50), failures::add);
        HttpsServer server = serve(credentials, provider);
        Http1Connection before = new Http1Connection(client, server.port())) {
      assertThat(leafOf(before).getSubjectX500Principal().getName()).isEqualTo("CN=first");
      assertThat(before.request("GET", "/").status()).isEqualTo(200);

      // Key first, then certificate, each by atomic rename: the watcher may see the new key with
      // the old certificate for a moment, which it must refuse (see aMismatchedKey...) and then
      // recover from.
      TestPki.PemFiles next = PKI.server(KeyType.RSA_2048, "second", null).writePem(dir, "next");
      Files.move(
          next.key(),
          live.key(),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      Thread.sleep(200);
      Files.move(
          next.certificate(),
          live.certificate(),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      await(() -> leafOf(credentials).getSubjectX500Principal().getName().equals("CN=second"));

      // A fresh client: one that resumes its earlier session keeps that session's certificate.
      SSLContext freshClient = TlsContexts.client(TRUST).policy(http1).buildJdk();
      try (Http1Connection after = new Http1Connection(freshClient, server.port())) {
        assertThat(leafOf(after).getSubjectX500Principal().getName()).isEqualTo("CN=second");
        assertThat(leafOf(after).getPublicKey().getAlgorithm()).isEqualTo("RSA");
        assertThat(after.request("GET", "/").status()).isEqualTo(200);
      }
      assertThat(before.request("GET", "/").status()).isEqualTo(200);
      assertThat(leafOf(before).getSubjectX500Principal().getName()).isEqualTo("CN=first");
    }
  }

  @ParameterizedTest
  @EnumSource(TlsProvider.class)
  void aMismatchedKeyIsRefusedAndReportedAndTheOldLeafStaysServed(TlsProvider provider)
      throws Exception {
    TestPki.PemFiles live = PKI.server(KeyType.EC_P256, "kept", null).writePem(dir, "live");
    List<RuntimeException> failures = new CopyOnWriteArrayList<>();
    try (ReloadingCredentials credentials =
            ReloadingCredentials.watchPem(
                live.certificate(), live.key(), Duration.ofMillis(50), failures::add);
        HttpsServer server = serve(credentials, provider)) {
      TestPki.PemFiles other = PKI.server(KeyType.EC_P256, "other", null).writePem(dir, "other");
      Files.move(
          other.key(),
          live.key(),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      await(() -> !failures.isEmpty());

      assertThat(failures)
          .singleElement(InstanceOfAssertFactories.THROWABLE)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("the private key does not match the leaf certificate");
      assertThatThrownBy(credentials::reload)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("the private key does not match the leaf certificate");
      assertThat(credentials.reloads()).isZero();
      assertThat(leafOf(credentials).getSubjectX500Principal().getName()).isEqualTo("CN=kept");
      assertThat(servedLeaf(provider, server)).isEqualTo("CN=kept");
    }
  }

  @Test
  void anExpiredCertificateIsRefusedAndTheCurrentOneStays() throws Exception {
    TestPki.PemFiles live = PKI.server(KeyType.EC_P256, "current", null).writePem(dir, "live");
    List<RuntimeException> failures = new CopyOnWriteArrayList<>();
    try (ReloadingCredentials credentials =
        ReloadingCredentials.watchPem(
            live.certificate(), live.key(), Duration.ofMillis(50), failures::add)) {
      TestPki.PemFiles expired = PKI.expiredServer(KeyType.EC_P256, "expired").writePem(dir, "old");
      Files.move(expired.key(), live.key(), StandardCopyOption.REPLACE_EXISTING);
      Files.move(expired.certificate(), live.certificate(), StandardCopyOption.REPLACE_EXISTING);
      await(() -> failures.stream().anyMatch(f -> f.getMessage().contains("expired at")));

      assertThatThrownBy(credentials::reload)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("the new leaf certificate CN=expired expired at")
          .hasMessageContaining("the current one (CN=current, valid until");
      assertThat(credentials.reloads()).isZero();
      assertThat(leafOf(credentials).getSubjectX500Principal().getName()).isEqualTo("CN=current");
    }
  }

  @Test
  void aWriteFinishingWithinTheSameTimestampTickIsStillRead() throws Exception {
    TestPki.Issued first = PKI.server(KeyType.EC_P256, "first", null);
    TestPki.PemFiles live = first.writePem(dir, "live");
    // A new certificate for the same key, so only the certificate file changes.
    TestPki.PemFiles renewed =
        new TestPki.Issued(first.key(), PKI.serverChainFor(first.leaf().getPublicKey()))
            .writePem(dir, "renewed");
    byte[] certificate = Files.readAllBytes(renewed.certificate());
    FileTime tick =
        FileTime.from(Files.getLastModifiedTime(live.certificate()).toInstant().plusSeconds(1));
    List<RuntimeException> failures = new CopyOnWriteArrayList<>();
    try (ReloadingCredentials credentials =
        ReloadingCredentials.watchPem(
            live.certificate(), live.key(), Duration.ofMillis(50), failures::add)) {
      // A writer caught halfway, then finishing within the same tick of a coarse file system clock.
      Files.write(live.certificate(), Arrays.copyOf(certificate, certificate.length / 2));
      Files.setLastModifiedTime(live.certificate(), tick);
      await(() -> !failures.isEmpty());
      Files.write(live.certificate(), certificate);
      Files.setLastModifiedTime(live.certificate(), tick);
      await(() -> credentials.reloads() == 1);

      assertThat(leafOf(credentials).getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
      // The watcher may also have caught a write's empty first moment: each is its own failure.
      assertThat(failures)
          .allSatisfy(failure -> assertThat(failure).isInstanceOf(InvalidInputException.class));
    }
  }

  @ParameterizedTest
  @EnumSource(TlsProvider.class)
  void aReplacedPkcs12FileIsServedAndABrokenOneReported(TlsProvider provider) throws Exception {
    char[] password = "changeit".toCharArray();
    Path live =
        PKI.server(KeyType.EC_P256, "first", null).writePkcs12(dir.resolve("live.p12"), password);
    List<RuntimeException> failures = new CopyOnWriteArrayList<>();
    try (ReloadingCredentials credentials =
            ReloadingCredentials.watchPkcs12(live, password, Duration.ofMillis(50), failures::add);
        HttpsServer server = serve(credentials, provider)) {
      assertThat(servedLeaf(provider, server)).isEqualTo("CN=first");

      Path next =
          PKI.server(KeyType.RSA_2048, "second", null)
              .writePkcs12(dir.resolve("next.p12"), password);
      Files.move(next, live, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      await(() -> credentials.reloads() == 1);
      assertThat(servedLeaf(provider, server)).isEqualTo("CN=second");

      Path wrongPassword =
          PKI.server(KeyType.EC_P256, "third", null)
              .writePkcs12(dir.resolve("third.p12"), "other".toCharArray());
      Files.move(
          wrongPassword, live, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      await(() -> !failures.isEmpty());

      assertThat(failures)
          .singleElement(InstanceOfAssertFactories.THROWABLE)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("wrong password for PKCS#12 file");
      assertThat(servedLeaf(provider, server)).isEqualTo("CN=second");
      assertThat(credentials.reloads()).isEqualTo(1);
    }
  }

  private static String servedLeaf(TlsProvider provider, HttpsServer server) throws Exception {
    // A new client context each time, so no session (and its certificate) is resumed.
    return Clients.handshake(
            TlsContexts.client(TRUST).provider(provider).buildNetty(), server.port())
        .serverLeaf()
        .getSubjectX500Principal()
        .getName();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 250 && !condition.getAsBoolean(); i++) {
      Thread.sleep(20);
    }
    assertThat(condition.getAsBoolean()).as("condition within 5 s").isTrue();
  }

  @ParameterizedTest
  @EnumSource(TlsProvider.class)
  void aBrokenFileKeepsTheCurrentCertificate(TlsProvider provider) throws Exception {
    TestPki.PemFiles live = PKI.server(KeyType.EC_P256, "kept", null).writePem(dir, "live");
    List<RuntimeException> failures = new CopyOnWriteArrayList<>();
    try (ReloadingCredentials credentials =
            ReloadingCredentials.watchPem(
                live.certificate(), live.key(), Duration.ofMillis(50), failures::add);
        HttpsServer server = serve(credentials, provider)) {
      Files.writeString(live.certificate(), "-----BEGIN CERTIFICATE-----\ntruncated");
      await(() -> !failures.isEmpty());

      assertThat(servedLeaf(provider, server)).isEqualTo("CN=kept");
      assertThat(credentials.reloads()).isZero();
    }
  }

  /** An HTTPS server on {@code provider} presenting whatever {@code credentials} hold now. */
  private static HttpsServer serve(ReloadingCredentials credentials, TlsProvider provider) {
    return HttpsServer.builder(TlsContexts.server(credentials).provider(provider).buildNetty())
        .ioThreads(1)
        .build()
        .start();
  }

  private static X509Certificate leafOf(Http1Connection connection) throws Exception {
    return (X509Certificate) connection.socket().getSession().getPeerCertificates()[0];
  }

  private static X509Certificate leafOf(ReloadingCredentials credentials) {
    return ((IdentityKeyManager) credentials.keyManager()).leaf();
  }
}
