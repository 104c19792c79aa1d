package com.plugsky.crypto.primitive;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/** Small byte helpers that crypto code keeps needing: constant-time compare, zeroing, hex. */
public final class Bytes {
  private static final HexFormat HEX = HexFormat.of();

  private Bytes() {}

  /** Compares in time that depends only on the lengths, never on where the arrays differ. */
  public static boolean constantTimeEquals(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
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
