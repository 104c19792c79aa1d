package com.plugsky.crypto.kms.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.kms.retry.RetryPolicy;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Vault over HTTPS with a certificate made for the test by the JDK's keytool. */
class VaultTransitTlsTest {
  private static final KeyRef ORDERS = KeyRef.parse("vault-transit:transit/orders");
  private static final String PASSWORD = "test-store-password";

  @TempDir static Path dir;
  private static Path serverStore;
  private static Path caPem;
  private static Path otherCaPem;

  @BeforeAll
  static void makeCertificates() throws Exception {
    serverStore = dir.resolve("server.p12");
    caPem = selfSigned(serverStore, dir.resolve("ca.pem"));
    otherCaPem = selfSigned(dir.resolve("other.p12"), dir.resolve("other-ca.pem"));
  }

  /**
   * A key pair and self-signed certificate for 127.0.0.1 in {@code store}; its PEM in {@code pem}.
   */
  private static Path selfSigned(Path store, Path pem) throws Exception {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process =
        new ProcessBuilder(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "vault",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=ip:127.0.0.1",
                "-validity",
                "2",
                "-keystore",
                store.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD)
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as(output).isZero();
    Certificate certificate = load(store).getCertificate("vault");
    String base64 =
        Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(certificate.getEncoded());
    return Files.writeString(
        pem, "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n");
  }

  private static KeyStore load(Path store) throws Exception {
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keyStore.load(in, PASSWORD.toCharArray());
    }
    return keyStore;
  }

  private static SSLContext serverTls() throws Exception {
    KeyStore store = load(serverStore);
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, PASSWORD.toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keys.getKeyManagers(), null, null);
    return tls;
  }

  @Test
  void vaultCacertTrustsVaultsCertificateAndNoOther() throws Exception {
    try (LoopbackVaultServer vault = new LoopbackVaultServer(serverTls())) {
      vault.createKey("transit/orders", true);
      Map<String, String> env =
          Map.of(
              "VAULT_ADDR", vault.address().toString(),
              "VAULT_TOKEN", LoopbackVaultServer.ROOT_TOKEN,
              "VAULT_CACERT", caPem.toString());
      byte[] dataKey = CryptoRandom.bytes(32);
      EncryptionContext context = EncryptionContext.of("tenant", "acme");

      try (VaultTransitKeyWrapper trusting = VaultTransitKeyWrapper.fromEnvironment(env).build()) {
        assertThat(trusting.unwrap(trusting.wrap(ORDERS, dataKey, context), context))
            .isEqualTo(dataKey);
      }
      try (VaultTransitKeyWrapper mistrusting =
          VaultTransitKeyWrapper.builder()
              .address(vault.address())
              .token(LoopbackVaultServer.ROOT_TOKEN)
              .caCertificates(otherCaPem)
              .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(1)).build())
              .build()) {
        assertThatThrownBy(() -> mistrusting.wrap(ORDERS, dataKey, context))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("TLS");
      }
      assertThat(vault.requests("encrypt")).isEqualTo(1);
    }
  }
}
