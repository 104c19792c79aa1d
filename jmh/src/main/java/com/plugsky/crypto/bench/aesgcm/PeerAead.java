package com.plugsky.crypto.bench.aesgcm;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;

/**
 * Another library's AES-256-GCM, driven the way its own users would drive it, producing our
 * layout {@code nonce (12) || ciphertext || tag (16)} with a fresh random nonce per encryption.
 *
 * <p>Array methods return the array holding the result: {@code out} for libraries that write into
 * a caller's array, a new array for those whose API allocates one (Tink). Buffer methods write into
 * {@code out} and return the bytes written.
 */
interface PeerAead {

  /** Seals {@code length} bytes of {@code in}; the result is {@code length + 28} bytes. */
  byte[] encrypt(byte[] in, int length, byte[] aad, byte[] out) throws GeneralSecurityException;

  /** Opens {@code length} bytes of {@code in}; the result's first {@code length - 28} bytes are the plaintext. */
  byte[] decrypt(byte[] in, int length, byte[] aad, byte[] out) throws GeneralSecurityException;

  int encrypt(ByteBuffer in, byte[] aad, ByteBuffer out) throws GeneralSecurityException;

  int decrypt(ByteBuffer in, byte[] aad, ByteBuffer out) throws GeneralSecurityException;
}
