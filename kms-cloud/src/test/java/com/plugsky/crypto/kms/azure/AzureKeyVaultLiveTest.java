package com.plugsky.crypto.kms.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.primitive.CryptoRandom;
import org.junit.jupiter.api.Test;

/**
 * Against a real Key Vault or Managed HSM, only when {@value #KEY_URL} names a key URL (e.g. {@code
 * https://myvault.vault.azure.net/keys/orders}); credentials come from {@code
 * DefaultAzureCredential} (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_CLIENT_SECRET, a managed
 * identity or the Azure CLI). {@value #ALGORITHM} picks A256KW for an oct-HSM key.
 */
class AzureKeyVaultLiveTest {
  static final String KEY_URL = "PLUGSKY_LIVE_AZURE_KEY_URL";
  static final String ALGORITHM = "PLUGSKY_LIVE_AZURE_ALGORITHM";

  @Test
  void wrapsAndUnwrapsUnderTheConfiguredKey() {
    String keyUrl = System.getenv(KEY_URL);
    assumeTrue(keyUrl != null && !keyUrl.isBlank(), KEY_URL + " is not set");
    String algorithm = System.getenv(ALGORITHM);
    AzureKeyVaultKeyWrapper wrapper =
        AzureKeyVaultKeyWrapper.builder()
            .algorithm(
                algorithm == null || algorithm.isBlank()
                    ? KeyVaultWrapAlgorithm.RSA_OAEP_256
                    : KeyVaultWrapAlgorithm.parse(algorithm.strip()).orElseThrow())
            .build();
    KeyRef keyRef = KeyRef.parse("azure-kv:" + keyUrl.strip());
    EncryptionContext context = EncryptionContext.of("test", "plugsky-live");
    byte[] dataKey = CryptoRandom.bytes(32);

    WrappedKey wrapped = wrapper.wrap(keyRef, dataKey, context);

    assertThat(wrapper.unwrap(wrapped, context)).isEqualTo(dataKey);
    assertThatThrownBy(() -> wrapper.unwrap(wrapped, EncryptionContext.empty()))
        .isInstanceOf(AuthenticationFailedException.class);
  }
}
