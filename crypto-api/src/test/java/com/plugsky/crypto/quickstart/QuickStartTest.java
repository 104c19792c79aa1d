package com.plugsky.crypto.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.KeyWrappers;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.keywrap.local.LocalKeyWrapper;
import com.plugsky.crypto.primitive.Bytes;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's quick start, line for line, so that it stays true. */
class QuickStartTest {
  @TempDir Path keys;

  @BeforeEach
  void useATemporaryKeyDirectory() {
    System.setProperty(LocalKeyWrapper.KEY_DIRECTORY_PROPERTY, keys.toString());
  }

  @AfterEach
  void restore() {
    System.clearProperty(LocalKeyWrapper.KEY_DIRECTORY_PROPERTY);
  }

  @Test
  void encryptsAndDecryptsWithTheLocalKeyWrapper() {
    byte[] plaintext = "card 4111-1111-1111-1111".getBytes(StandardCharsets.UTF_8);
    byte[] sealed;

    KeyRef kek = KeyRef.parse("local:orders");
    EncryptionContext context = EncryptionContext.of("tenant", "acme");
    byte[] dataKey = CryptoRandom.bytes(32);
    WrappedKey wrapped = KeyWrappers.forKeyRef(kek).wrap(kek, dataKey, context);
    try (Aead aead = Engines.newAead(dataKey)) { sealed = aead.encrypt(plaintext, context.encoded()); }
    Bytes.zero(dataKey);

    byte[] unwrapped = KeyWrappers.forKeyRef(wrapped.keyRef()).unwrap(wrapped, context);
    try (Aead aead = Engines.newAead(unwrapped)) {
      assertThat(aead.decrypt(sealed, context.encoded())).isEqualTo(plaintext);
    } finally {
      Bytes.zero(unwrapped);
    }
    assertThat(keys.resolve("orders.kek")).exists();

    EncryptionContext otherTenant = EncryptionContext.of("tenant", "evil");
    assertThatThrownBy(() -> KeyWrappers.forKeyRef(kek).unwrap(wrapped, otherTenant))
        .isInstanceOf(AuthenticationFailedException.class);
  }
}
