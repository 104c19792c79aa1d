package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.local.LocalKeyWrapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's envelope quick start, statement for statement, with the wrapper found on the
 * classpath rather than configured.
 */
class ReadmeQuickStartTest {
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
  void quickStart() {
    byte[] order = "card 4111-1111-1111-1111".getBytes(StandardCharsets.UTF_8);

    Envelope envelope =
        Envelope.builder()
            .kek(KeyRef.parse("local:orders-eu")) // one per region or HSM that may open it
            .kek(KeyRef.parse("local:orders-us"))
            .build();
    byte[] message = envelope.encrypt(order, EncryptionContext.of("tenant", "acme"));
    byte[] plaintext = envelope.decrypt(message, EncryptionContext.of("tenant", "acme"));

    assertThat(plaintext).isEqualTo(order);
    assertThat(keys.resolve("orders-eu.kek")).exists();
    assertThat(keys.resolve("orders-us.kek")).exists();
  }
}
