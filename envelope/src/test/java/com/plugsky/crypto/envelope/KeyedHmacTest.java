package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.primitive.CryptoRandom;
import org.junit.jupiter.api.Test;

class KeyedHmacTest {
  @Test
  void bothFormsEqualTheEngineHmacForEveryLengthAroundTheBlockBoundaries() {
    for (AeadEngine engine : Engines.available()) {
      byte[] key = CryptoRandom.bytes(32);
      for (boolean precomputePads : new boolean[] {false, true}) {
        try (KeyedHmac hmac = KeyedHmac.of(key.clone(), engine.primitives(), precomputePads)) {
          for (int length = 0; length <= 200; length++) {
            byte[] message = CryptoRandom.bytes(length);
            assertThat(hmac.mac(message))
                .as("%s, pads precomputed %s, %d bytes", engine.name(), precomputePads, length)
                .isEqualTo(engine.primitives().hmacSha256(key, message));
          }
        }
      }
    }
  }

  @Test
  void theRfc4231TestCase2Tag() {
    byte[] key = "Jefe".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] data =
        "what do ya want for nothing?".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try (KeyedHmac hmac = KeyedHmac.of(key, Engines.defaultEngine().primitives(), true)) {
      assertThat(java.util.HexFormat.of().formatHex(hmac.mac(data)))
          .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
  }
}
