package com.plugsky.crypto.bench.aesgcm;

import com.plugsky.crypto.aead.Aead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The inputs and preallocated outputs of one AES-GCM benchmark trial, for one message size and
 * one buffer kind, so that the timed methods allocate nothing of their own.
 *
 * <p>Arrays are always present (the ciphertext to decrypt is made from them); direct buffers only
 * when the buffer kind is {@code direct}. Every buffer has exactly the capacity its role needs, so
 * {@link ByteBuffer#clear()} readies it for the next operation.
 */
final class GcmBuffers {
  static final int NONCE_LENGTH = Aead.NONCE_LENGTH;
  static final int OVERHEAD = Aead.OVERHEAD;

  /** 16 bytes of associated data, the size of a typical tenant/purpose context. */
  static final byte[] AAD = "plugsky-bench-ad".getBytes(StandardCharsets.US_ASCII);

  /** A fixed, published benchmark key: every implementation encrypts under the same key. */
  private static final byte[] KEY = new byte[Aead.KEY_LENGTH];

  static {
    for (int i = 0; i < KEY.length; i++) {
      KEY[i] = (byte) (0xA0 + i);
    }
  }

  final int size;
  final boolean direct;

  final byte[] plaintext;
  /** Encrypt output: nonce || ciphertext || tag. */
  final byte[] sealed;
  /** Decrypt input, made at setup by the implementation under test. */
  final byte[] ciphertext;
  /** Decrypt output. */
  final byte[] opened;

  final ByteBuffer plaintextBuffer;
  final ByteBuffer sealedBuffer;
  final ByteBuffer ciphertextBuffer;
  final ByteBuffer openedBuffer;

  GcmBuffers(int size, String bufferKind) {
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0, got " + size);
    }
    this.size = size;
    this.direct =
        switch (bufferKind) {
          case "array" -> false;
          case "direct" -> true;
          default ->
              throw new IllegalArgumentException(
                  "buffer must be 'array' (byte[]) or 'direct' (direct ByteBuffer), got '" + bufferKind + "'");
        };
    plaintext = new byte[size];
    new Random(size).nextBytes(plaintext);
    sealed = new byte[size + OVERHEAD];
    ciphertext = new byte[size + OVERHEAD];
    opened = new byte[size];
    if (direct) {
      plaintextBuffer = ByteBuffer.allocateDirect(size).put(plaintext).clear();
      sealedBuffer = ByteBuffer.allocateDirect(size + OVERHEAD);
      ciphertextBuffer = ByteBuffer.allocateDirect(size + OVERHEAD);
      openedBuffer = ByteBuffer.allocateDirect(size);
    } else {
      plaintextBuffer = null;
      sealedBuffer = null;
      ciphertextBuffer = null;
      openedBuffer = null;
    }
  }

  /** A copy of the benchmark key. */
  static byte[] key() {
    return KEY.clone();
  }

  /** Installs the ciphertext that the decrypt benchmark opens, after checking it is genuine. */
  void useCiphertext(String who, byte[] made) {
    if (made.length != size + OVERHEAD) {
      throw new IllegalStateException(
          who + " produced a " + made.length + "-byte ciphertext for " + size + " bytes; expected "
              + (size + OVERHEAD) + " (nonce 12 || ciphertext || tag 16)");
    }
    checkOpensToPlaintext(who, made);
    System.arraycopy(made, 0, ciphertext, 0, made.length);
    if (direct) {
      ciphertextBuffer.clear().put(made).clear();
    }
  }

  /** What the last encryption wrote: the sealed array, or the sealed direct buffer's content. */
  byte[] lastSealed() {
    return direct ? contentOf(sealedBuffer) : sealed.clone();
  }

  /** What the last decryption wrote: the opened array, or the opened direct buffer's content. */
  byte[] lastOpened() {
    return direct ? contentOf(openedBuffer) : opened.clone();
  }

  /** Fails unless {@code output} is a ciphertext of the plaintext under the key and AAD. */
  void checkSealed(String who, byte[] output) {
    checkOpensToPlaintext(who, output);
  }

  /** Fails unless {@code output} starts with the plaintext. */
  void checkOpened(String who, byte[] output) {
    if (output.length < size || !Arrays.equals(output, 0, size, plaintext, 0, size)) {
      throw new IllegalStateException(who + ": decryption did not reproduce the plaintext");
    }
  }

  /** Zeroes every output so a later check sees only what the next operation writes. */
  void clearOutputs() {
    Arrays.fill(sealed, (byte) 0);
    Arrays.fill(opened, (byte) 0);
    if (direct) {
      sealedBuffer.clear().put(new byte[sealedBuffer.capacity()]).clear();
      openedBuffer.clear().put(new byte[openedBuffer.capacity()]).clear();
    }
  }

  private static byte[] contentOf(ByteBuffer buffer) {
    byte[] copy = new byte[buffer.capacity()];
    buffer.get(0, copy);
    return copy;
  }

  /** Opens with a plain SunJCE Cipher, independent of every implementation under test. */
  private void checkOpensToPlaintext(String who, byte[] message) {
    byte[] recovered;
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
      cipher.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(KEY, "AES"),
          new GCMParameterSpec(Aead.TAG_LENGTH * 8, message, 0, NONCE_LENGTH));
      cipher.updateAAD(AAD);
      recovered = cipher.doFinal(message, NONCE_LENGTH, message.length - NONCE_LENGTH);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          who + ": its ciphertext is not AES-256-GCM of the plaintext under the benchmark key and AAD", e);
    }
    if (!Arrays.equals(recovered, plaintext)) {
      throw new IllegalStateException(who + ": its ciphertext decrypts to something other than the plaintext");
    }
  }
}
