package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeyedHmacTest {
  @Test
  void bothFormsEqualTheEngineHmacForEveryLengthAroundTheBlockBoundaries() {
    for (AeadEngine engine : Engines.available()) {
      byte[] key = CryptoRandom.bytes(32);
      for (boolean heldPads : new boolean[] {false, true}) {
        try (KeyedHmac hmac = KeyedHmac.of(key.clone(), engine.primitives(), heldPads)) {
          for (int length = 0; length <= 200; length++) {
            byte[] message = CryptoRandom.bytes(length);
            assertThat(macAt(hmac, message, 7, 3))
                .as("%s, pads held %s, %d bytes", engine.name(), heldPads, length)
                .isEqualTo(engine.primitives().hmacSha256(key, message));
          }
        }
      }
    }
  }

  @Test
  void aMacWrittenRightAfterItsMessageInTheSameArrayIsTheMacOfTheMessage() {
    byte[] key = CryptoRandom.bytes(32);
    byte[] header = CryptoRandom.bytes(150 + KeyedHmac.LENGTH);
    byte[] expected =
        Engines.defaultEngine().primitives().hmacSha256(key, Arrays.copyOf(header, 150));
    try (KeyedHmac hmac = KeyedHmac.of(key.clone(), Engines.defaultEngine().primitives(), true)) {
      hmac.mac(header, 0, 150, header, 150);
    }
    assertThat(Arrays.copyOfRange(header, 150, header.length)).isEqualTo(expected);
  }

  @Test
  void theRfc4231TestCase2Tag() {
    byte[] key = "Jefe".getBytes(StandardCharsets.US_ASCII);
    byte[] data = "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII);
    try (KeyedHmac hmac = KeyedHmac.of(key, Engines.defaultEngine().primitives(), true)) {
      assertThat(HexFormat.of().formatHex(macAt(hmac, data, 0, 0)))
          .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
  }

  /** The MAC of {@code message} read at {@code inOffset} and written at {@code outOffset}. */
  private static byte[] macAt(KeyedHmac hmac, byte[] message, int inOffset, int outOffset) {
    byte[] in = new byte[inOffset + message.length + 5];
    System.arraycopy(message, 0, in, inOffset, message.length);
    byte[] out = new byte[outOffset + KeyedHmac.LENGTH + 4];
    hmac.mac(in, inOffset, message.length, out, outOffset);
    return Arrays.copyOfRange(out, outOffset, outOffset + KeyedHmac.LENGTH);
  }
}
