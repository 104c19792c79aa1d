package com.plugsky.crypto.tls.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.tls.keys.CertifiedKey;
import com.plugsky.crypto.tls.keys.ReloadingCredentials;
import com.plugsky.crypto.tls.keys.TlsCredentials;
import com.plugsky.crypto.tls.policy.TlsProvider;
import com.plugsky.crypto.tls.server.HttpsServer;
import com.plugsky.crypto.tls.testing.Processes;
import com.plugsky.crypto.tls.testing.TestPki;
import com.plugsky.crypto.tls.testing.TestPki.KeyType;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * openssl s_client -status sees the stapled response only when the certificate names a responder,
 * and always the response for the certificate served, also after a hot reload; the JDK provider
 * refuses stapling.
 */
class OcspStaplingTest {
  private static final TestPki PKI = TestPki.create("ocsp-test-ca");

  @TempDir Path dir;

  @Test
  void staplesTheResponseForACertificateNamingAResponder() throws Exception {
    TestPki.Issued issued = PKI.server(KeyType.EC_P256, "localhost", "http://ocsp.example.org");
    byte[] response = PKI.ocspGood(issued.leaf());

    String output = sClientStatus(issued, leaf -> response);

    assertThat(output)
        .contains("OCSP Response Status: successful (0x0)")
        .contains("Cert Status: good");
  }

  @Test
  void staplesNothingWhenTheCertificateNamesNoResponder() throws Exception {
    TestPki.Issued issued = PKI.server(KeyType.EC_P256);

    String output = sClientStatus(issued, leaf -> PKI.ocspGood(issued.leaf()));

    assertThat(output).contains("OCSP response: no response sent").doesNotContain("Cert Status");
  }

  @Test
  void afterAReloadStaplesTheResponseForTheNewCertificate() throws Exception {
    // The first certificate names no responder, so nothing is stapled until the reload: whether to
    // staple is decided per handshake, for the leaf presented.
    TestPki.PemFiles live = PKI.server(KeyType.EC_P256, "first", null).writePem(dir, "live");
    TestPki.Issued second = PKI.server(KeyType.EC_P256, "second", "http://ocsp.example.org");
    List<X509Certificate> asked = new CopyOnWriteArrayList<>();
    Function<X509Certificate, byte[]> responses =
        leaf -> {
          asked.add(leaf);
          return PKI.ocspGood(leaf);
        };
    try (ReloadingCredentials credentials =
            ReloadingCredentials.watchPem(
                live.certificate(), live.key(), Duration.ofMillis(50), failure -> {});
        HttpsServer server = staplingServer(credentials, responses)) {
      assertThat(sClientStatus(server)).contains("OCSP response: no response sent");

      TestPki.PemFiles next = second.writePem(dir, "next");
      Files.move(next.key(), live.key(), StandardCopyOption.REPLACE_EXISTING);
      Files.move(next.certificate(), live.certificate(), StandardCopyOption.REPLACE_EXISTING);
      for (int i = 0; i < 250 && credentials.reloads() == 0; i++) {
        Thread.sleep(20);
      }
      String output = sClientStatus(server);

      assertThat(output)
          .contains("subject=CN = second")
          .contains("Cert Status: good")
          .contains("Serial Number: " + opensslHex(second.leaf().getSerialNumber()));
      assertThat(asked)
          .extracting(X509Certificate::getSerialNumber)
          .containsOnly(second.leaf().getSerialNumber());
    }
  }

  @Test
  void theJdkProviderRefusesStapling() {
    TestPki.Issued issued = PKI.server(KeyType.EC_P256, "localhost", "http://ocsp.example.org");
    var builder =
        TlsContexts.server(CertifiedKey.of(issued.key(), issued.chain()))
            .provider(TlsProvider.JDK)
            .ocspStapling(leaf -> PKI.ocspGood(leaf));

    assertThatThrownBy(builder::buildNetty)
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("OCSP stapling through ocspStapling(...) runs on BoringSSL only");
    assertThatThrownBy(builder::buildJdk).isInstanceOf(ConfigurationException.class);
  }

  private String sClientStatus(TestPki.Issued issued, Function<X509Certificate, byte[]> responses)
      throws Exception {
    try (HttpsServer server =
        staplingServer(CertifiedKey.of(issued.key(), issued.chain()), responses)) {
      return sClientStatus(server);
    }
  }

  /** An HTTPS server on BoringSSL presenting {@code credentials}, stapling {@code responses}. */
  private static HttpsServer staplingServer(
      TlsCredentials credentials, Function<X509Certificate, byte[]> responses) {
    return HttpsServer.builder(
            TlsContexts.server(credentials)
                .provider(TlsProvider.BORINGSSL)
                .ocspStapling(responses)
                .buildNetty())
        .ioThreads(1)
        .build()
        .start();
  }

  private String sClientStatus(HttpsServer server) throws Exception {
    Path ca = PKI.writeCaPem(dir.resolve("ca.pem"));
    return Processes.run(
            List.of(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + server.port(),
                "-servername",
                "localhost",
                "-CAfile",
                ca.toString(),
                "-status"))
        .output();
  }

  /** A serial number as openssl prints it: its magnitude's bytes in upper-case hex. */
  private static String opensslHex(BigInteger serial) {
    byte[] bytes = serial.toByteArray();
    int start = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
    return HexFormat.of().withUpperCase().formatHex(bytes, start, bytes.length);
  }
}
