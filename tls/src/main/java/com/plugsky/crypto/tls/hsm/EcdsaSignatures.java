package com.plugsky.crypto.tls.hsm;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/** PKCS#11 returns ECDSA signatures as r || s (IEEE P1363); TLS carries them DER-encoded. */
final class EcdsaSignatures {
  private EcdsaSignatures() {}

  /** {@code SEQUENCE { INTEGER r, INTEGER s }} from the two equal-length halves of {@code p1363}. */
  static byte[] p1363ToDer(byte[] p1363) {
    if (p1363.length == 0 || p1363.length % 2 != 0 || p1363.length > 264) {
      throw new IllegalArgumentException(
          "an r || s signature has two equal halves, got " + p1363.length + " bytes");
    }
    int half = p1363.length / 2;
    byte[] r = derInteger(Arrays.copyOfRange(p1363, 0, half));
    byte[] s = derInteger(Arrays.copyOfRange(p1363, half, p1363.length));
    ByteArrayOutputStream out = new ByteArrayOutputStream(r.length + s.length + 4);
    out.write(0x30);
    writeLength(out, r.length + s.length);
    out.writeBytes(r);
    out.writeBytes(s);
    return out.toByteArray();
  }

  private static byte[] derInteger(byte[] unsigned) {
    int start = 0;
    while (start < unsigned.length - 1 && unsigned[start] == 0) {
      start++;
    }
    boolean pad = (unsigned[start] & 0x80) != 0;
    int length = unsigned.length - start + (pad ? 1 : 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream(length + 3);
    out.write(0x02);
    writeLength(out, length);
    if (pad) {
      out.write(0);
    }
    out.write(unsigned, start, unsigned.length - start);
    return out.toByteArray();
  }

  private static void writeLength(ByteArrayOutputStream out, int length) {
    if (length < 0x80) {
      out.write(length);
    } else {
      out.write(0x81);
      out.write(length);
    }
  }
}
