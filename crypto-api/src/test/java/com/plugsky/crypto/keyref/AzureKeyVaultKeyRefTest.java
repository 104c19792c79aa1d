package com.plugsky.crypto.keyref;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AzureKeyVaultKeyRefTest {
  private static final String VERSION = "78deebed173b48e48f55abf87ed4cf71";

  @Test
  void keyWithVersion() {
    AzureKeyVaultKeyRef ref =
        (AzureKeyVaultKeyRef)
            KeyRef.parse("azure-kv:https://myvault.vault.azure.net/keys/orders/" + VERSION);
    assertThat(ref.vaultUrl()).isEqualTo("https://myvault.vault.azure.net");
    assertThat(ref.keyName()).isEqualTo("orders");
    assertThat(ref.version()).contains(VERSION);
    assertThat(ref.isManagedHsm()).isFalse();
    assertThat(ref.region()).isEmpty();
    assertThat(ref).hasToString("azure-kv:https://myvault.vault.azure.net/keys/orders/" + VERSION);
  }

  @Test
  void managedHsmAndHostCaseIsNormalised() {
    AzureKeyVaultKeyRef ref =
        (AzureKeyVaultKeyRef)
            KeyRef.parse("azure-kv:HTTPS://My-Hsm.ManagedHSM.azure.net/keys/Orders-Key");
    assertThat(ref.isManagedHsm()).isTrue();
    assertThat(ref.version()).isEmpty();
    assertThat(ref.keyName()).isEqualTo("Orders-Key");
    assertThat(ref).hasToString("azure-kv:https://my-hsm.managedhsm.azure.net/keys/Orders-Key");
    assertThat(ref)
        .isEqualTo(KeyRef.parse("azure-kv:https://my-hsm.managedhsm.azure.net/keys/Orders-Key"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "azure-kv:http://myvault.vault.azure.net/keys/orders| must be an https key URL",
        "azure-kv:https://myvault.evil.example/keys/orders| host 'myvault.evil.example' is not a"
            + " Key Vault",
        "azure-kv:https://myvault.vault.azure.net.evil.example/keys/orders| is not a Key Vault",
        "azure-kv:https://myvault.vault.azure.net:8443/keys/orders| no port",
        "azure-kv:https://x@myvault.vault.azure.net/keys/orders| no port or user",
        "azure-kv:https://my--vault.vault.azure.net/keys/orders| vault name 'my--vault'",
        "azure-kv:https://ab.vault.azure.net/keys/orders| vault name 'ab'",
        "azure-kv:https://myvault.vault.azure.net/secrets/orders| path '/secrets/orders'",
        "azure-kv:https://myvault.vault.azure.net/keys/orders/| path",
        "azure-kv:https://myvault.vault.azure.net/keys/orders/v1| path",
        "azure-kv:https://myvault.vault.azure.net/keys/or_ders| path",
        "azure-kv:https://myvault.vault.azure.net/keys/orders?api-version=7.4| no query or"
            + " fragment",
      })
  void rejectsMalformed(String uri, String message) {
    assertThatThrownBy(() -> KeyRef.parse(uri))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("azure-kv:")
        .hasMessageContaining(message.strip());
  }
}
