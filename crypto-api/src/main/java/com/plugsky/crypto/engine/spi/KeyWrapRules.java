package com.plugsky.crypto.engine.spi;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.primitive.KeyWrapMode;
import java.util.Objects;

/**
 * The SP 800-38F length rules, checked before any engine sees the data so that every engine
 * rejects the same inputs with the same typed exception.
 */
public final class KeyWrapRules {
  private KeyWrapRules() {}

  public static void checkKek(byte[] kek) {
    Objects.requireNonNull(kek, "kek");
    if (kek.length != 16 && kek.length != 24 && kek.length != 32) {
      throw new InvalidInputException("AES key-encryption key must be 16, 24 or 32 bytes, got " + kek.length);
    }
  }

  public static void checkKeyData(KeyWrapMode mode, byte[] keyData) {
    Objects.requireNonNull(keyData, "keyData");
    if (mode == KeyWrapMode.AES_KW && (keyData.length < 16 || keyData.length % 8 != 0)) {
      throw new InvalidInputException(
          "AES-KW wraps key data of 16 or more bytes in multiples of 8, got " + keyData.length + " bytes");
    }
    if (mode == KeyWrapMode.AES_KWP && keyData.length == 0) {
      throw new InvalidInputException("AES-KWP wraps at least 1 byte of key data");
    }
  }

  public static void checkWrapped(KeyWrapMode mode, byte[] wrapped) {
    Objects.requireNonNull(wrapped, "wrapped");
    int minimum = mode == KeyWrapMode.AES_KW ? 24 : 16;
    if (wrapped.length < minimum || wrapped.length % 8 != 0) {
      throw new MalformedCiphertextException(
          mode + " wrapped key must be a multiple of 8 bytes and at least " + minimum + ", got " + wrapped.length);
    }
  }
}
