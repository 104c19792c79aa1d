package com.plugsky.crypto.envelope;

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
}
