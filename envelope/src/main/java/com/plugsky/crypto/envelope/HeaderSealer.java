package com.plugsky.crypto.envelope;

import com.plugsky.crypto.primitive.Bytes;

/**
 * Computes the 32 bytes that end a header under its data key: the header tag over every byte
 * before it (suites 1 and 2), or the key commitment over the wrapped keys (suite 3). Writing a
 * header and checking one are the same call: a reader recomputes the field and compares.
 */
interface HeaderSealer {
  /**
   * Writes the last field of the header whose first {@code length} bytes are {@code header[0 ..
   * length)}, its context ending at {@code contextEnd}, at {@code out[outOffset]}; {@code out} may
   * be {@code header} itself.
   */
  void writeLastField(byte[] header, int contextEnd, int length, byte[] out, int outOffset);

  /**
   * Whether {@code header[length .. length + 32)} is the last field this sealer writes for {@code
   * header[0 .. length)}; constant time.
   */
  default boolean lastFieldMatches(byte[] header, int contextEnd, int length) {
    byte[] expected = new byte[Format.HEADER_TAG_LENGTH];
    writeLastField(header, contextEnd, length, expected, 0);
    return Bytes.constantTimeEquals(expected, 0, header, length, Format.HEADER_TAG_LENGTH);
  }
}
