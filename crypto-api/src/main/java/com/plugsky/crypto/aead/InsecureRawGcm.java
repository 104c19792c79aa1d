package com.plugsky.crypto.aead;

/**
 * Raw AES-GCM with a caller-chosen IV and tag length, for conformance test vectors only.
 *
 * <p>Insecure because the caller picks the IV: reusing one under a key reveals the XOR of two
 * plaintexts and lets an attacker forge tags. It also accepts what SP 800-38D allows but
 * discourages (32- and 64-bit tags, IVs of 8 to 1024+ bits) so that every NIST CAVP entry runs.
 * Use {@link Aead} for data.
 */
public interface InsecureRawGcm {

  /**
   * Whether the engine accepts IVs of this many bytes; some (Conscrypt) only take 12. Calls with
   * other lengths throw {@link com.plugsky.crypto.InvalidInputException}.
   */
  default boolean supportsIvLength(int ivBytes) {
    return ivBytes > 0;
  }

  /** Whether the engine takes AES keys of this many bytes (16, 24, 32); Conscrypt has no AES-192. */
  default boolean supportsKeyLength(int keyBytes) {
    return keyBytes == 16 || keyBytes == 24 || keyBytes == 32;
  }

  /** Returns {@code ciphertext || tag}, the tag truncated to {@code tagBits} (32..128, multiple of 8). */
  byte[] encrypt(byte[] key, byte[] iv, byte[] associatedData, byte[] plaintext, int tagBits);

  /**
   * Verifies {@code tag} (its length gives the tag size) and returns the plaintext.
   *
   * @throws com.plugsky.crypto.AuthenticationFailedException when the tag does not verify
   */
  byte[] decrypt(byte[] key, byte[] iv, byte[] associatedData, byte[] ciphertext, byte[] tag);
}
