package com.plugsky.crypto.tls.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.tls.testing.TestPki;
import com.plugsky.crypto.tls.testing.TestPki.KeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CertifiedKeyTest {
  private static final TestPki PKI = TestPki.create("keys-test-ca");

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void loadsPemAndPkcs12(KeyType type) {
    TestPki.Issued issued = PKI.server(type);
    TestPki.PemFiles pem = issued.writePem(dir, "server");
    Path p12 = issued.writePkcs12(dir.resolve("server.p12"), "secret".toCharArray());

    for (CertifiedKey key :
        List.of(CertifiedKey.fromPem(pem.certificate(), pem.key()), CertifiedKey.fromPkcs12(p12, "secret".toCharArray()))) {
      assertThat(key.chain()).containsExactlyElementsOf(issued.chain());
      assertThat(key.privateKey().getEncoded()).isEqualTo(issued.key().getEncoded());
      assertThat(key.toString()).isEqualTo("CertifiedKey[CN=localhost]");
    }
  }

  @Test
  void refusesAKeyThatIsNotTheLeafs() {
    TestPki.Issued one = PKI.server(KeyType.EC_P256);
    TestPki.Issued other = PKI.server(KeyType.EC_P256);

    assertThatThrownBy(() -> CertifiedKey.of(other.key(), one.chain()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("the private key does not match the leaf certificate");
  }

  @Test
  void namesTheConversionForALegacyPemKey() throws Exception {
    TestPki.PemFiles pem = PKI.server(KeyType.EC_P256).writePem(dir, "legacy");
    Files.writeString(pem.key(), "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");

    assertThatThrownBy(() -> CertifiedKey.fromPem(pem.certificate(), pem.key()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("holds a 'EC PRIVATE KEY' block; expected an unencrypted PKCS#8")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void saysSoForAWrongPkcs12Password() {
    Path p12 = PKI.server(KeyType.EC_P256).writePkcs12(dir.resolve("s.p12"), "right".toCharArray());

    assertThatThrownBy(() -> CertifiedKey.fromPkcs12(p12, "wrong".toCharArray()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("wrong password for PKCS#12 file");
  }

  @Test
  void trustAnchorsNeedTrustedEntries() {
    Path keyOnly = PKI.server(KeyType.EC_P256).writePkcs12(dir.resolve("k.p12"), "pw".toCharArray());
    Path trustStore = PKI.writeCaPkcs12(dir.resolve("t.p12"), "pw".toCharArray());

    assertThat(TrustAnchors.fromPkcs12(trustStore, "pw".toCharArray()).certificates()).containsExactly(PKI.caCertificate());
    assertThatThrownBy(() -> TrustAnchors.fromPkcs12(keyOnly, "pw".toCharArray()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("no trusted-certificate entry");
  }
}
