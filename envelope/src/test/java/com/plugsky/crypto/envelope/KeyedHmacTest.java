package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.primitive.CryptoRandom;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class KeyedHmacTest {
  @Test
  void everyFormEqualsTheEngineHmacForEveryLengthAroundTheBlockBoundaries() {
    for (AeadEngine engine : Engines.available()) {
      byte[] key = CryptoRandom.bytes(32);
      for (KeyedHmac.Form form : formsOnThisClassPath()) {
        try (KeyedHmac hmac = KeyedHmac.of(key.clone(), engine.primitives(), form)) {
          for (int length = 0; length <= 200; length++) {
            byte[] message = CryptoRandom.bytes(length);
            assertThat(macAt(hmac, message, 7, 3))
                .as("%s, %s, %d bytes", engine.name(), form, length)
                .isEqualTo(engine.primitives().hmacSha256(key, message));
          }
        }
      }
    }
  }

  private static final boolean NATIVE_MODULE_ABSENT =
      "absent".equals(System.getProperty("plugsky.test.native-module"));

  private static List<KeyedHmac.Form> formsOnThisClassPath() {
    return Arrays.stream(KeyedHmac.Form.values())
        .filter(form -> !(NATIVE_MODULE_ABSENT && form == KeyedHmac.Form.NATIVE_STATES))
        .toList();
  }

  /** The surefire execution without-native runs this class without the native module too. */
  @Test
  void keysOutsideAFipsEngineUseNativeStatesWhenTheNativeModuleIsThereElseTheJdksSha256() {
    if (NATIVE_MODULE_ABSENT) {
      assertThat(KeyedHmac.Form.unapproved(true)).isEqualTo(KeyedHmac.Form.HELD_STATES);
      assertThat(KeyedHmac.Form.unapproved(false)).isEqualTo(KeyedHmac.Form.HELD_PADS);
    } else {
      assertThat(KeyedHmac.Form.unapproved(true)).isEqualTo(KeyedHmac.Form.NATIVE_STATES);
      assertThat(KeyedHmac.Form.unapproved(false)).isEqualTo(KeyedHmac.Form.NATIVE_STATES);
    }
  }

  @Test
  void heldStatesEqualTheEngineHmacAcrossThreadsAndAreWipedOnClose() throws Exception {
    byte[] key = CryptoRandom.bytes(32);
    SymmetricPrimitives primitives = Engines.defaultEngine().primitives();
    KeyedHmac hmac = KeyedHmac.of(key.clone(), primitives, KeyedHmac.Form.HELD_STATES);
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      List<Future<?>> results = new ArrayList<>();
      for (int thread = 0; thread < 4; thread++) {
        results.add(
            pool.submit(
                () -> {
                  for (int length = 0; length <= 200; length++) {
                    byte[] message = CryptoRandom.bytes(length);
                    assertThat(macAt(hmac, message, 5, 2))
                        .as("%d bytes", length)
                        .isEqualTo(primitives.hmacSha256(key, message));
                  }
                }));
      }
      for (Future<?> result : results) {
        result.get();
      }
    }
    byte[] before = macAt(hmac, new byte[10], 0, 0);
    hmac.close();
    assertThat(macAt(hmac, new byte[10], 0, 0))
        .as("after close the states are SHA-256's initial ones: no longer keyed")
        .isNotEqualTo(before);
  }

  @Test
  void expandIsTheMacOfLabelDataAndOneInEveryForm() {
    byte[] key = CryptoRandom.bytes(32);
    byte[] label = "plugsky test".getBytes(StandardCharsets.US_ASCII);
    SymmetricPrimitives primitives = Engines.defaultEngine().primitives();
    for (int length = 0; length <= 130; length += 13) {
      byte[] data = CryptoRandom.bytes(length + 9);
      byte[] info = new byte[label.length + length + 1];
      System.arraycopy(label, 0, info, 0, label.length);
      System.arraycopy(data, 4, info, label.length, length);
      info[info.length - 1] = 1;
      byte[] expected = primitives.hmacSha256(key, info);
      for (KeyedHmac.Form form : formsOnThisClassPath()) {
        try (KeyedHmac hmac = KeyedHmac.of(key.clone(), primitives, form)) {
          byte[] out = new byte[KeyedHmac.LENGTH + 3];
          hmac.expand(label, data, 4, length, out, 3);
          assertThat(Arrays.copyOfRange(out, 3, out.length))
              .as("%s, %d bytes", form, length)
              .isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void heldStatesRefuseAnOutputWithoutRoomForTheMac() {
    try (KeyedHmac hmac =
        KeyedHmac.of(CryptoRandom.bytes(32), null, KeyedHmac.Form.HELD_STATES)) {
      assertThatThrownBy(
              () -> hmac.mac(new byte[4], 0, 4, new byte[40], 9))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aMacWrittenRightAfterItsMessageInTheSameArrayIsTheMacOfTheMessage() {
    byte[] key = CryptoRandom.bytes(32);
    byte[] header = CryptoRandom.bytes(150 + KeyedHmac.LENGTH);
    byte[] expected =
        Engines.defaultEngine().primitives().hmacSha256(key, Arrays.copyOf(header, 150));
    try (KeyedHmac hmac =
        KeyedHmac.of(key.clone(), Engines.defaultEngine().primitives(), KeyedHmac.Form.HELD_PADS)) {
      hmac.mac(header, 0, 150, header, 150);
    }
    assertThat(Arrays.copyOfRange(header, 150, header.length)).isEqualTo(expected);
  }

  @Test
  void theRfc4231TestCase2Tag() {
    byte[] key = "Jefe".getBytes(StandardCharsets.US_ASCII);
    byte[] data = "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII);
    try (KeyedHmac hmac =
        KeyedHmac.of(key, Engines.defaultEngine().primitives(), KeyedHmac.Form.HELD_PADS)) {
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
