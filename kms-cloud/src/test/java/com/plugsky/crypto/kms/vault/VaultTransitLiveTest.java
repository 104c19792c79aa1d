package com.plugsky.crypto.kms.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.DataKey;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Against a real Vault, only when {@code PLUGSKY_LIVE_VAULT_ADDR} and {@code
 * PLUGSKY_LIVE_VAULT_KEY} (a derived transit key, e.g. {@code vault-transit:transit/plugsky-live})
 * are set; credentials and TLS come from the usual {@code VAULT_*} variables.
 */
class VaultTransitLiveTest {

  @Test
  void wrapsUnwrapsRewrapsAndGeneratesAgainstRealVault() {
    String address = System.getenv("PLUGSKY_LIVE_VAULT_ADDR");
    String key = System.getenv("PLUGSKY_LIVE_VAULT_KEY");
    assumeTrue(address != null && key != null, "PLUGSKY_LIVE_VAULT_ADDR/_KEY not set");
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("VAULT_ADDR", address);
    KeyRef keyRef = KeyRef.parse(key);
    EncryptionContext context = EncryptionContext.of("test", "plugsky-live");
    byte[] dataKey = CryptoRandom.bytes(32);

    try (VaultTransitKeyWrapper wrapper = VaultTransitKeyWrapper.fromEnvironment(env).build()) {
      WrappedKey wrapped = wrapper.wrap(keyRef, dataKey, context);
      assertThat(wrapper.unwrap(wrapped, context)).isEqualTo(dataKey);
      assertThatThrownBy(() -> wrapper.unwrap(wrapped, EncryptionContext.empty()))
          .isInstanceOf(AuthenticationFailedException.class);
      assertThat(wrapper.unwrap(wrapper.rewrap(wrapped, keyRef, context), context))
          .isEqualTo(dataKey);
      try (DataKey generated = wrapper.generateDataKey(keyRef, 32, context)) {
        assertThat(wrapper.unwrap(generated.wrappedKey(), context))
            .isEqualTo(generated.plaintextKey());
      }
    }
  }
}
