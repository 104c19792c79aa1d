package com.plugsky.crypto.primitive;

/**
 * The building blocks besides AES-GCM that key wrappers and the envelope format need, provided
 * by each engine so that conformance vectors can run on every one.
 */
public interface SymmetricPrimitives {

  /**
   * Whether this engine implements {@code mode}; when it does not, {@link #wrapKey} and {@link
   * #unwrapKey} throw {@link UnsupportedOperationException} for it (e.g. ACCP has no RFC 3394 KW).
   */
  default boolean supports(KeyWrapMode mode) {
    return true;
  }

  /** Wraps {@code keyData} under the AES key {@code kek} (16, 24 or 32 bytes). */
  byte[] wrapKey(KeyWrapMode mode, byte[] kek, byte[] keyData);

  /**
   * Unwraps and checks the integrity value.
   *
   * @throws com.plugsky.crypto.AuthenticationFailedException when the integrity check fails
   * @throws com.plugsky.crypto.MalformedCiphertextException when the length cannot be a wrapped key
   */
  byte[] unwrapKey(KeyWrapMode mode, byte[] kek, byte[] wrapped);

  /** HMAC-SHA256 of {@code message} under {@code key} (any length, including empty). */
  byte[] hmacSha256(byte[] key, byte[] message);

  /** RFC 5869 HKDF-SHA256; {@code length} is 1..8160 bytes; empty salt means the default salt. */
  byte[] hkdfSha256(byte[] inputKeyMaterial, byte[] salt, byte[] info, int length);
}
