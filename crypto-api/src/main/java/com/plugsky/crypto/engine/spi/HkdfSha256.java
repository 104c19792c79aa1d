package com.plugsky.crypto.engine.spi;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.primitive.Bytes;
import java.util.Objects;
import java.util.function.BinaryOperator;

/** RFC 5869 HKDF-SHA256 over any engine's HMAC-SHA256, so every engine derives with its own MAC. */
public final class HkdfSha256 {
  private static final int HASH_LENGTH = 32;
  public static final int MAX_LENGTH = 255 * HASH_LENGTH;

  private HkdfSha256() {}

  /**
   * Extract-then-expand.
   *
   * @param hmacSha256 {@code (key, message) -> tag}
   * @param salt empty means RFC 5869's default, a string of zero bytes
   */
  public static byte[] derive(
      BinaryOperator<byte[]> hmacSha256, byte[] inputKeyMaterial, byte[] salt, byte[] info, int length) {
    Objects.requireNonNull(inputKeyMaterial, "inputKeyMaterial");
    Objects.requireNonNull(salt, "salt (use an empty array for none)");
    Objects.requireNonNull(info, "info (use an empty array for none)");
    if (length < 1 || length > MAX_LENGTH) {
      throw new InvalidInputException("HKDF-SHA256 output must be 1.." + MAX_LENGTH + " bytes, got " + length);
    }
    byte[] prk = hmacSha256.apply(salt.length == 0 ? new byte[HASH_LENGTH] : salt, inputKeyMaterial);
    byte[] block = new byte[0];
    byte[] input = null;
    try {
      byte[] okm = new byte[length];
      int written = 0;
      for (int counter = 1; written < length; counter++) {
        input = new byte[block.length + info.length + 1];
        System.arraycopy(block, 0, input, 0, block.length);
        System.arraycopy(info, 0, input, block.length, info.length);
        input[input.length - 1] = (byte) counter;
        Bytes.zero(block);
        block = hmacSha256.apply(prk, input);
        Bytes.zero(input);
        int take = Math.min(block.length, length - written);
        System.arraycopy(block, 0, okm, written, take);
        written += take;
      }
      return okm;
    } finally {
      Bytes.zero(prk);
      Bytes.zero(block);
      Bytes.zero(input);
    }
  }
}
