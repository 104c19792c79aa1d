package com.plugsky.crypto.tls.hsm;

/**
 * PKCS#11 returns ECDSA signatures as r || s (IEEE P1363); TLS carries them DER-encoded. Runs once
 * per handshake on the thread that drives it, so it writes the encoding straight into its one
 * result array.
 */
final class EcdsaSignatures {
  private EcdsaSignatures() {}

  /** {@code SEQUENCE { INTEGER r, INTEGER s }} from the two equal-length halves of {@code p1363}. */
  static byte[] p1363ToDer(byte[] p1363) {
    if (p1363.length == 0 || p1363.length % 2 != 0 || p1363.length > 264) {
      throw new IllegalArgumentException(
          "an r || s signature has two equal halves, got " + p1363.length + " bytes");
    }
    int half = p1363.length / 2;
    int rStart = firstSignificant(p1363, 0, half);
    int sStart = firstSignificant(p1363, half, p1363.length);
    int rLength = integerLength(p1363, rStart, half);
    int sLength = integerLength(p1363, sStart, p1363.length);
    int content = rLength + sLength;
    byte[] der = new byte[1 + lengthOfLength(content) + content];
    der[0] = 0x30;
    int at = writeLength(der, 1, content);
    at = writeInteger(der, at, p1363, rStart, half);
    writeInteger(der, at, p1363, sStart, p1363.length);
    return der;
  }

  /** Where the unsigned big-endian number in {@code [from, to)} starts without leading zeros. */
  private static int firstSignificant(byte[] bytes, int from, int to) {
    int start = from;
    while (start < to - 1 && bytes[start] == 0) {
      start++;
    }
    return start;
  }

  /** The encoded size of INTEGER for magnitude {@code [start, end)}: tag, length, value. */
  private static int integerLength(byte[] bytes, int start, int end) {
    int value = end - start + ((bytes[start] & 0x80) != 0 ? 1 : 0);
    return 1 + lengthOfLength(value) + value;
  }

  private static int writeInteger(byte[] der, int at, byte[] bytes, int start, int end) {
    boolean pad = (bytes[start] & 0x80) != 0;
    der[at] = 0x02;
    at = writeLength(der, at + 1, end - start + (pad ? 1 : 0));
    if (pad) {
      der[at++] = 0;
    }
    System.arraycopy(bytes, start, der, at, end - start);
    return at + end - start;
  }

  private static int lengthOfLength(int length) {
    return length < 0x80 ? 1 : 2;
  }

  private static int writeLength(byte[] der, int at, int length) {
    if (length < 0x80) {
      der[at] = (byte) length;
      return at + 1;
    }
    der[at] = (byte) 0x81;
    der[at + 1] = (byte) length;
    return at + 2;
  }
}
