package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.Engines;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages sealed on any engine open on every other: the format does not depend on the engine. */
class EngineInteropTest {
  private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme");

  @TempDir Path keys;

  @Test
  void theNativeEngineIsExercised() {
    assertThat(Engines.available()).extracting(AeadEngine::name).contains("jdk", "native");
  }

  @Test
  void everyEngineOpensWhatEveryEngineSealed() {
    byte[] plaintext = new byte[5000];
    new Random(7).nextBytes(plaintext);
    for (AeadEngine writer : Engines.available()) {
      byte[] message =
          TestKeks.envelope(keys, "orders")
              .engine(writer)
              .frameSize(1024)
              .build()
              .encrypt(plaintext, CONTEXT);
      for (AeadEngine reader : Engines.available()) {
        Envelope opening = TestKeks.envelope(keys, "orders").engine(reader).build();
        assertThat(opening.decrypt(message, CONTEXT))
            .as("sealed on %s, opened on %s", writer.name(), reader.name())
            .isEqualTo(plaintext);
      }
    }
  }
}
