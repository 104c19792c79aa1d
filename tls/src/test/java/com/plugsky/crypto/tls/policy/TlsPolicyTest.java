package com.plugsky.crypto.tls.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.tls.context.TlsContexts;
import com.plugsky.crypto.tls.keys.CertifiedKey;
import com.plugsky.crypto.tls.keys.TrustAnchors;
import com.plugsky.crypto.tls.mtls.PeerVerification;
import com.plugsky.crypto.tls.testing.TestPki;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TlsPolicyTest {
  @Test
  void defaultsAreTls13SuitesX25519ThenP256AndH2ThenHttp11() {
    TlsPolicy policy = TlsPolicy.defaults();

    assertThat(policy.cipherSuiteNames())
        .containsExactly("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
    assertThat(policy.groups()).containsExactly(NamedGroup.X25519, NamedGroup.SECP256R1);
    assertThat(policy.applicationProtocols()).containsExactly("h2", "http/1.1");
    assertThat(policy.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void suiteOrderMustNameEachSuiteOnce() {
    assertThatThrownBy(() -> TlsPolicy.builder().cipherSuiteOrder(TlsCipherSuite.TLS_AES_256_GCM_SHA384))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("exactly once");
    assertThatThrownBy(
            () ->
                TlsPolicy.builder()
                    .cipherSuiteOrder(
                        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
                        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
                        TlsCipherSuite.TLS_AES_128_GCM_SHA256))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void refusesEmptyOrRepeatedGroupsAndOutOfRangeTimes() {
    assertThatThrownBy(() -> TlsPolicy.builder().groups()).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> TlsPolicy.builder().groups(NamedGroup.X25519, NamedGroup.X25519))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> TlsPolicy.builder().sessionTimeout(Duration.ofDays(8)))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> TlsPolicy.builder().handshakeTimeout(Duration.ZERO))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void theHybridGroupBuildsOnBoringSslAndIsRefusedOnTheJdk() {
    TestPki pki = TestPki.create("policy-test-ca");
    TestPki.Issued issued = pki.server(TestPki.KeyType.EC_P256);
    CertifiedKey key = CertifiedKey.of(issued.key(), issued.chain());
    TlsPolicy hybrid = TlsPolicy.builder().groups(NamedGroup.X25519MLKEM768, NamedGroup.X25519).build();

    assertThat(TlsContexts.server(key).provider(TlsProvider.BORINGSSL).policy(hybrid).buildNetty()).isNotNull();
    assertThatThrownBy(() -> TlsContexts.server(key).provider(TlsProvider.JDK).policy(hybrid).buildJdk())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("the JDK provider has no X25519MLKEM768");
    assertThatThrownBy(
            () ->
                TlsContexts.client(PeerVerification.trusting(TrustAnchors.of(List.of(pki.caCertificate()))))
                    .provider(TlsProvider.JDK)
                    .policy(hybrid)
                    .buildNetty())
        .isInstanceOf(ConfigurationException.class);
  }

  @Test
  void boringSslIsAvailableHereAndSaysWhichLibrary() {
    assertThat(BoringSsl.isAvailable()).as("cause: %s", BoringSsl.unavailabilityCause()).isTrue();
    assertThat(BoringSsl.unavailabilityCause()).isEmpty();
    assertThat(BoringSsl.version()).hasValueSatisfying(version -> assertThat(version).contains("BoringSSL"));
    assertThat(TlsProvider.preferred()).isEqualTo(TlsProvider.BORINGSSL);
  }
}
