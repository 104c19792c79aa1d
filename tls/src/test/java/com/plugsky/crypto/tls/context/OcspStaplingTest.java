package com.plugsky.crypto.tls.context;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.tls.keys.CertifiedKey;
import com.plugsky.crypto.tls.policy.TlsProvider;
import com.plugsky.crypto.tls.server.HttpsServer;
import com.plugsky.crypto.tls.testing.Processes;
import com.plugsky.crypto.tls.testing.TestPki;
import com.plugsky.crypto.tls.testing.TestPki.KeyType;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** openssl s_client -status sees the stapled response only when the certificate names a responder. */
class OcspStaplingTest {
  private static final TestPki PKI = TestPki.create("ocsp-test-ca");

  @TempDir Path dir;

  @Test
  void staplesTheResponseForACertificateNamingAResponder() throws Exception {
    TestPki.Issued issued = PKI.server(KeyType.EC_P256, "localhost", "http://ocsp.example.org");
    byte[] response = PKI.ocspGood(issued.leaf());

    String output = sClientStatus(issued, response);

    assertThat(output).contains("OCSP Response Status: successful (0x0)").contains("Cert Status: good");
  }

  @Test
  void staplesNothingWhenTheCertificateNamesNoResponder() throws Exception {
    TestPki.Issued issued = PKI.server(KeyType.EC_P256);

    String output = sClientStatus(issued, PKI.ocspGood(issued.leaf()));

    assertThat(output).contains("OCSP response: no response sent").doesNotContain("Cert Status");
  }

  private String sClientStatus(TestPki.Issued issued, byte[] response) throws Exception {
    try (HttpsServer server =
        HttpsServer.builder(
                TlsContexts.server(CertifiedKey.of(issued.key(), issued.chain()))
                    .provider(TlsProvider.BORINGSSL)
                    .ocspStapling(() -> response)
                    .buildNetty())
            .ioThreads(1)
            .build()
            .start()) {
      Path ca = PKI.writeCaPem(dir.resolve("ca.pem"));
      return Processes.run(
              List.of("openssl", "s_client", "-connect", "127.0.0.1:" + server.port(), "-servername", "localhost",
                  "-CAfile", ca.toString(), "-status"))
          .output();
    }
  }
}
