package com.plugsky.crypto.engine.spi;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.aead.InsecureRawGcm;
import com.plugsky.crypto.primitive.Bytes;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;

/**
 * {@link InsecureRawGcm} for an engine that can do GCM with a caller's IV and a full 128-bit tag.
 *
 * <p>Shorter tags are derived rather than asked of the engine (most refuse 32- and 64-bit tags):
 * encrypting truncates the full tag; decrypting recovers the candidate plaintext with the GCM
 * keystream (GCM-encrypting the ciphertext under the same key and IV yields it), re-encrypts it to
 * get the full tag over the given ciphertext and AAD, and compares the leading bytes in constant
 * time. The plaintext is only returned when they match.
 */
public abstract class AbstractInsecureRawGcm implements InsecureRawGcm {
  private static final byte[] NO_AAD = new byte[0];
  private static final int FULL_TAG_BYTES = 16;

  /** GCM encryption returning {@code ciphertext || 128-bit tag}. */
  protected abstract byte[] encryptFullTag(byte[] key, byte[] iv, byte[] aad, byte[] plaintext)
      throws GeneralSecurityException;

  /**
   * GCM decryption of {@code ciphertext || 128-bit tag}.
   *
   * @throws AEADBadTagException when the tag does not verify
   */
  protected abstract byte[] decryptFullTag(byte[] key, byte[] iv, byte[] aad, byte[] ciphertextAndTag)
      throws GeneralSecurityException;

  @Override
  public final byte[] encrypt(byte[] key, byte[] iv, byte[] aad, byte[] plaintext, int tagBits) {
    checkParameters(key, iv, aad);
    Objects.requireNonNull(plaintext, "plaintext");
    int tagBytes = tagBytes(tagBits);
    try {
      byte[] full = encryptFullTag(key, iv, aad, plaintext);
      return tagBytes == FULL_TAG_BYTES ? full : Arrays.copyOf(full, plaintext.length + tagBytes);
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException("GCM encryption refused by the engine: " + e.getMessage(), e);
    }
  }

  @Override
  public final byte[] decrypt(byte[] key, byte[] iv, byte[] aad, byte[] ciphertext, byte[] tag) {
    checkParameters(key, iv, aad);
    Objects.requireNonNull(ciphertext, "ciphertext");
    Objects.requireNonNull(tag, "tag");
    tagBytes(tag.length * 8);
    try {
      if (tag.length == FULL_TAG_BYTES) {
        byte[] sealed = Arrays.copyOf(ciphertext, ciphertext.length + FULL_TAG_BYTES);
        System.arraycopy(tag, 0, sealed, ciphertext.length, FULL_TAG_BYTES);
        return decryptFullTag(key, iv, aad, sealed);
      }
      return decryptTruncatedTag(key, iv, aad, ciphertext, tag);
    } catch (AEADBadTagException e) {
      throw new AuthenticationFailedException("GCM tag mismatch", e);
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException("GCM decryption refused by the engine: " + e.getMessage(), e);
    }
  }

  private byte[] decryptTruncatedTag(byte[] key, byte[] iv, byte[] aad, byte[] ciphertext, byte[] tag)
      throws GeneralSecurityException {
    byte[] keystreamed = encryptFullTag(key, iv, NO_AAD, ciphertext);
    byte[] candidate = Arrays.copyOf(keystreamed, ciphertext.length);
    byte[] resealed = encryptFullTag(key, iv, aad, candidate);
    byte[] expectedTag = Arrays.copyOfRange(resealed, ciphertext.length, ciphertext.length + tag.length);
    if (!Bytes.constantTimeEquals(expectedTag, tag)) {
      Bytes.zero(candidate);
      throw new AEADBadTagException("truncated tag mismatch");
    }
    return candidate;
  }

  private static void checkParameters(byte[] key, byte[] iv, byte[] aad) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(iv, "iv");
    Objects.requireNonNull(aad, "aad (use an empty array for none)");
    if (key.length != 16 && key.length != 24 && key.length != 32) {
      throw new InvalidInputException("AES key must be 16, 24 or 32 bytes, got " + key.length);
    }
    if (iv.length == 0) {
      throw new InvalidInputException("GCM IV must not be empty (SP 800-38D requires at least 1 bit)");
    }
  }

  private static int tagBytes(int tagBits) {
    if (tagBits < 32 || tagBits > 128 || tagBits % 8 != 0) {
      throw new InvalidInputException("GCM tag length must be 32..128 bits in whole bytes, got " + tagBits);
    }
    return tagBits / 8;
  }
}
