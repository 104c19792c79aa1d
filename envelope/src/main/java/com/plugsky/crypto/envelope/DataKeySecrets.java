package com.plugsky.crypto.envelope;

import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.primitive.Bytes;
import com.plugsky.crypto.primitive.SymmetricPrimitives;

/**
 * What suite 2 derives once per data key (docs/FORMAT.md, suite 2): the HKDF pseudorandom key and
 * the header key. A data-key cache keeps these instead of the data key, so that a message under a
 * cached key costs one HMAC for its payload key and one for its header tag. Closing zeroes both.
 */
final class DataKeySecrets implements AutoCloseable {
  private static final int KEY_LENGTH = 32;

  private final byte[] prk;
  private final byte[] headerKey;

  private DataKeySecrets(byte[] prk, byte[] headerKey) {
    this.prk = prk;
    this.headerKey = headerKey;
  }

  /** Takes ownership of both arrays; for tests that need to see them zeroed. */
  static DataKeySecrets of(byte[] prk, byte[] headerKey) {
    return new DataKeySecrets(prk, headerKey);
  }

  /**
   * HKDF-Extract of the data key, then the header key; the caller keeps ownership of {@code
   * dataKey}.
   *
   * @throws MalformedCiphertextException when the data key is not 32 bytes (a wrapping of a key of
   *     another length)
   */
  static DataKeySecrets derive(byte[] dataKey, SymmetricPrimitives primitives) {
    MessageKeys.checkDataKeyLength(dataKey);
    byte[] prk = primitives.hmacSha256(Format.SUITE_2_SALT, dataKey);
    byte[] info = new byte[Format.SUITE_2_HEADER_INFO.length + 1];
    System.arraycopy(Format.SUITE_2_HEADER_INFO, 0, info, 0, Format.SUITE_2_HEADER_INFO.length);
    info[info.length - 1] = 1;
    return new DataKeySecrets(prk, primitives.hmacSha256(prk, info));
  }

  /** The payload key of the message {@code messageId}: one HKDF-Expand block. */
  byte[] payloadKey(byte[] messageId, SymmetricPrimitives primitives) {
    int labelLength = Format.SUITE_2_PAYLOAD_INFO.length;
    byte[] info = new byte[labelLength + Format.MESSAGE_ID_LENGTH + 1];
    System.arraycopy(Format.SUITE_2_PAYLOAD_INFO, 0, info, 0, labelLength);
    System.arraycopy(messageId, 0, info, labelLength, Format.MESSAGE_ID_LENGTH);
    info[info.length - 1] = 1;
    byte[] key = primitives.hmacSha256(prk, info);
    if (key.length != KEY_LENGTH) {
      Bytes.zero(key);
      throw new IllegalStateException("HMAC-SHA256 returned " + key.length + " bytes");
    }
    return key;
  }

  /** The HMAC-SHA256 key of the header tag; the array itself, not a copy: do not keep it. */
  byte[] headerKey() {
    return headerKey;
  }

  /** An independent copy, for a caller that may outlive a cache entry's eviction. */
  DataKeySecrets copy() {
    return new DataKeySecrets(prk.clone(), headerKey.clone());
  }

  @Override
  public void close() {
    Bytes.zero(prk);
    Bytes.zero(headerKey);
  }
}
