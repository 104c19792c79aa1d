package com.plugsky.crypto.aead;

import com.plugsky.crypto.AuthenticationFailedException;
import java.nio.ByteBuffer;

/**
 * AES-256-GCM under one key, with 96-bit nonces that this object generates and 128-bit tags.
 *
 * <p>A ciphertext is {@code nonce (12 bytes) || encrypted data || tag (16 bytes)}, so it is
 * always {@link #OVERHEAD} bytes longer than its plaintext. Callers never choose nonces; an API
 * that lets them is named {@code Insecure...}.
 *
 * <p>Instances are thread-safe. {@link #close()} destroys the key: later calls throw {@link
 * IllegalStateException}, and so does a call that a close on another thread overtakes, with its
 * output region zeroed (it may have used a partly destroyed key). Decryption releases no plaintext unless the tag verifies; on failure
 * the output region is zeroed and {@link AuthenticationFailedException} is thrown.
 *
 * <p>Random 96-bit nonces bound the safe use of one key to about 2<sup>32</sup> messages (NIST SP
 * 800-38D, section 8.3); the envelope module derives a fresh key per message and never nears it.
 */
public interface Aead extends AutoCloseable {
  int KEY_LENGTH = 32;
  int NONCE_LENGTH = 12;
  int TAG_LENGTH = 16;
  int OVERHEAD = NONCE_LENGTH + TAG_LENGTH;

  /** Encrypts {@code plaintext}, binding {@code associatedData} (may be empty, not null). */
  byte[] encrypt(byte[] plaintext, byte[] associatedData);

  /** Decrypts what {@link #encrypt(byte[], byte[])} produced under the same associated data. */
  byte[] decrypt(byte[] ciphertext, byte[] associatedData);

  /**
   * Encrypts {@code length} bytes of {@code input} from {@code offset} into {@code output} at
   * {@code outputOffset}, which needs {@code length + OVERHEAD} bytes. Input and output may
   * overlap. Returns the number of bytes written.
   */
  int encrypt(
      byte[] input, int offset, int length, byte[] associatedData, byte[] output, int outputOffset);

  /**
   * Decrypts a ciphertext of {@code length} bytes into {@code output}, which needs {@code length
   * - OVERHEAD} bytes. Input and output may overlap. Returns the number of bytes written.
   */
  int decrypt(
      byte[] input, int offset, int length, byte[] associatedData, byte[] output, int outputOffset);

  /**
   * Encrypts the remaining bytes of {@code plaintext} into {@code output}, advancing both
   * positions. Heap and direct buffers are accepted; the two may be views of the same memory
   * (in-place). Returns the number of bytes written.
   */
  int encrypt(ByteBuffer plaintext, byte[] associatedData, ByteBuffer output);

  /** Decrypts the remaining bytes of {@code ciphertext} into {@code output}; see {@link #encrypt(ByteBuffer, byte[], ByteBuffer)}. */
  int decrypt(ByteBuffer ciphertext, byte[] associatedData, ByteBuffer output);

  /** The engine doing the work, e.g. {@code jdk}, {@code bc-fips}, {@code native}. */
  String engineName();

  /** Destroys the key held by this object. Idempotent. */
  @Override
  void close();
}
