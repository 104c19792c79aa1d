package com.plugsky.crypto.kms.vault;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.KeyWrappers;
import org.junit.jupiter.api.Test;

class VaultTransitKeyWrapperProviderTest {

  @Test
  void serviceLoaderFindsTheProviderWhichReadsTheEnvironment() {
    assumeTrue(System.getenv("VAULT_ADDR") == null, "VAULT_ADDR is set here");

    assertThatThrownBy(() -> KeyWrappers.forKeyRef(KeyRef.parse("vault-transit:transit/orders")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("VAULT_ADDR");
  }
}
