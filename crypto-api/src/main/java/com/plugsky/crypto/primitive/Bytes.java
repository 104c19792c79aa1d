package com.plugsky.crypto.primitive;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/** Small byte helpers that crypto code keeps needing: constant-time compare, zeroing, hex. */
public final class Bytes {
  private static final HexFormat HEX = HexFormat.of();

  private Bytes() {}

  /** Compares in time that depends only on the lengths, never on where the arrays differ. */
  public static boolean constantTimeEquals(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }

  /**
   * Whether {@code a[aOffset .. aOffset + length)} equals {@code b[bOffset .. bOffset + length)},
   * in time that depends only on {@code length}: for a tag or commitment that lies inside a larger
   * array, compared where it lies.
   */
  public static boolean constantTimeEquals(
      byte[] a, int aOffset, byte[] b, int bOffset, int length) {
    Objects.checkFromIndexSize(aOffset, length, a.length);
    Objects.checkFromIndexSize(bOffset, length, b.length);
    int difference = 0;
    for (int i = 0; i < length; i++) {
      difference |= a[aOffset + i] ^ b[bOffset + i];
    }
    return difference == 0;
  }

  /** Overwrites secret bytes; tolerates null so that it fits in finally blocks. */
  public static void zero(byte[] secret) {
    if (secret != null) {
      Arrays.fill(secret, (byte) 0);
    }
  }

  public static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  public static byte[] fromHex(String hex) {
    return HEX.parseHex(hex);
  }
}
