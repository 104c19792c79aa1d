package com.plugsky.crypto.keywrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.keyref.KeyRef;
import org.junit.jupiter.api.Test;

class WrappedKeyTest {
  private static final KeyRef KEY = KeyRef.parse("local:default");

  @Test
  void copiesBytesInAndOut() {
    byte[] bytes = {1, 2, 3};
    WrappedKey wrapped = new WrappedKey(KEY, bytes);
    bytes[0] = 9;
    assertThat(wrapped.bytes()).containsExactly(1, 2, 3);
    wrapped.bytes()[1] = 9;
    assertThat(wrapped.bytes()).containsExactly(1, 2, 3);
    assertThat(wrapped.length()).isEqualTo(3);
  }

  @Test
  void equalityIsByContent() {
    assertThat(new WrappedKey(KEY, new byte[] {1, 2}))
        .isEqualTo(new WrappedKey(KEY, new byte[] {1, 2}))
        .hasSameHashCodeAs(new WrappedKey(KEY, new byte[] {1, 2}));
    assertThat(new WrappedKey(KEY, new byte[] {1, 2}))
        .isNotEqualTo(new WrappedKey(KEY, new byte[] {1, 3}));
    assertThat(new WrappedKey(KEY, new byte[] {1, 2}))
        .isNotEqualTo(new WrappedKey(KeyRef.parse("local:other"), new byte[] {1, 2}));
  }

  @Test
  void printsTheKeyRefAndLengthOnly() {
    assertThat(new WrappedKey(KEY, new byte[] {(byte) 0xab, (byte) 0xcd}))
        .hasToString("WrappedKey[keyRef=local:default, 2 bytes]");
  }
}
