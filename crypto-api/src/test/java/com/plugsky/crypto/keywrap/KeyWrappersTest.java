package com.plugsky.crypto.keywrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keywrap.local.LocalKeyWrapper;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyWrappersTest {

  @Test
  void findsTheLocalWrapperThroughServiceLoader(@TempDir Path keys) {
    String previous = System.setProperty(LocalKeyWrapper.KEY_DIRECTORY_PROPERTY, keys.toString());
    try {
      KeyRef keyRef = KeyRef.parse("local:default");
      KeyWrapper wrapper = KeyWrappers.forKeyRef(keyRef);
      assertThat(wrapper).isInstanceOf(LocalKeyWrapper.class);
      assertThat(wrapper.scheme()).isEqualTo(KeyRefScheme.LOCAL);
      assertThat(((LocalKeyWrapper) wrapper).keyDirectory()).isEqualTo(keys.toAbsolutePath());

      byte[] dataKey = CryptoRandom.bytes(32);
      EncryptionContext context = EncryptionContext.of("tenant", "acme");
      WrappedKey wrapped = wrapper.wrap(keyRef, dataKey, context);
      assertThat(keys.resolve("default.kek")).exists();
      assertThat(KeyWrappers.forKeyRef(keyRef).unwrap(wrapped, context)).isEqualTo(dataKey);
    } finally {
      if (previous == null) {
        System.clearProperty(LocalKeyWrapper.KEY_DIRECTORY_PROPERTY);
      } else {
        System.setProperty(LocalKeyWrapper.KEY_DIRECTORY_PROPERTY, previous);
      }
    }
  }

  @ParameterizedTest
  @CsvSource({
    "pkcs11:object=kek, pkcs11:, com.plugsky.crypto:pkcs11",
    "aws-kms:alias/orders, aws-kms:, com.plugsky.crypto:kms-cloud",
    "azure-kv:https://myvault.vault.azure.net/keys/orders, azure-kv:, com.plugsky.crypto:kms-cloud",
    "vault-transit:transit/orders, vault-transit:, com.plugsky.crypto:kms-cloud",
    "gcp-kms:projects/my-project/locations/global/keyRings/r/cryptoKeys/k, gcp-kms:,"
        + " com.plugsky.crypto:kms-cloud",
  })
  void namesTheModuleToAddWhenNoWrapperServesAScheme(String uri, String prefix, String module) {
    assertThatThrownBy(() -> KeyWrappers.forKeyRef(KeyRef.parse(uri)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no key wrapper for " + prefix + " KeyRefs")
        .hasMessageContaining(module);
  }
}
