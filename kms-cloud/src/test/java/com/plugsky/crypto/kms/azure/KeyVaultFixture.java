package com.plugsky.crypto.kms.azure;

import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * One loopback Key Vault for every test class in this JVM: a certificate, RSA keys and a first
 * round trip cost seconds on a busy machine, so they are paid once. The server stops with the JVM.
 *
 * <p>Keys: {@code orders-rsa} (RSA 2048), {@code orders-rsa3072}, {@code orders-oct} (AES-256, for
 * A256KW) and {@code rotating} (RSA 2048; tests add versions).
 */
record KeyVaultFixture(SelfSignedTls tls, LoopbackKeyVault vault, String rsa2048Version) {
  static final String TOKEN = "loopback-" + HexFormat.of().formatHex(randomBytes(12));
  static final String VAULT = "https://plugsky-test.vault.azure.net/keys/";
  static final String HSM = "https://plugsky-test.managedhsm.azure.net/keys/";

  private static KeyVaultFixture shared;

  static synchronized KeyVaultFixture shared() throws Exception {
    if (shared == null) {
      SelfSignedTls tls = SelfSignedTls.create();
      LoopbackKeyVault vault = LoopbackKeyVault.start(tls.serverContext(), TOKEN);
      Runtime.getRuntime().addShutdownHook(new Thread(vault::close, "loopback-key-vault-stop"));
      String rsa2048Version = vault.addRsaKey("orders-rsa", 2048);
      vault.addRsaKey("orders-rsa3072", 3072);
      vault.addAesKey("orders-oct");
      vault.addRsaKey("rotating", 2048);
      shared = new KeyVaultFixture(tls, vault, rsa2048Version);
      shared.warmUp();
    }
    return shared;
  }

  /** A wrapper for this vault with default retries and no audit. */
  AzureKeyVaultKeyWrapper.Builder wrapperBuilder() {
    return AzureKeyVaultKeyWrapper.builder()
        .credential(new FixedTokenCredential(TOKEN))
        .endpoint(vault.endpoint())
        .sslContext(tls.clientContext());
  }

  private static byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }

  // Loads the SDK and the engines once, so that no test's timeout includes them.
  private void warmUp() {
    AzureKeyVaultKeyWrapper wrapper = wrapperBuilder().build();
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    EncryptionContext context = EncryptionContext.empty();
    wrapper.unwrap(wrapper.wrap(keyRef, new byte[32], context), context);
    vault.clearRequests();
  }
}
