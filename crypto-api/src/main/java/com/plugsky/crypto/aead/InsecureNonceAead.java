package com.plugsky.crypto.aead;

import java.nio.ByteBuffer;

/**
 * AES-256-GCM under nonces the caller chooses, writing {@code ciphertext || tag} (no nonce).
 *
 * <p>Insecure: encrypting two messages under one key with the same nonce reveals their XOR and
 * lets anyone forge tags under that key. Only for formats that derive a fresh key per message and
 * number its frames, so that no (key, nonce) pair can repeat, like the envelope format. Use {@link
 * Aead} for anything else. Obtain one with {@link
 * com.plugsky.crypto.engine.AeadEngine#newInsecureNonceAead(byte[])}.
 */
public interface InsecureNonceAead extends AutoCloseable {
  /** Encrypts into {@code output} ({@code length + 16} bytes); returns the bytes written. */
  int encrypt(byte[] nonce, byte[] input, int offset, int length, byte[] associatedData, byte[] output, int outputOffset);

  /**
   * Decrypts {@code ciphertext || tag} into {@code output} ({@code length - 16} bytes).
   *
   * @throws com.plugsky.crypto.AuthenticationFailedException when the tag does not verify; the
   *     output region is zeroed
   */
  int decrypt(byte[] nonce, byte[] input, int offset, int length, byte[] associatedData, byte[] output, int outputOffset);

  /** The buffer form of {@link #encrypt(byte[], byte[], int, int, byte[], byte[], int)}, advancing both positions. */
  int encrypt(byte[] nonce, ByteBuffer plaintext, byte[] associatedData, ByteBuffer output);

  /** The buffer form of {@link #decrypt(byte[], byte[], int, int, byte[], byte[], int)}, advancing both positions. */
  int decrypt(byte[] nonce, ByteBuffer ciphertext, byte[] associatedData, ByteBuffer output);

  String engineName();

  /** Destroys the key. */
  @Override
  void close();
}
