package com.plugsky.crypto.bench.aesgcm;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Textbook JCA use of one provider's {@code AES/GCM/NoPadding}: one {@link Cipher} kept and
 * re-initialised per message, a nonce drawn from a {@code DRBG} SecureRandom per message (the
 * JDK's Hash_DRBG: one DRBG call each, where our Aead takes 12 bytes from a pool refilled 4 KiB at
 * a time, from libcrypto's DRBG when {@code native} is present), written in front of the
 * ciphertext. That difference is part of what the encrypt rows compare; decrypt draws no nonce.
 *
 * <p>Not thread-safe: the benchmarks hold one per thread.
 */
final class JcaPeerAead implements PeerAead {
  private static final int TAG_BITS = 128;

  private final Cipher cipher;
  private final SecretKey key;
  private final SecureRandom random;
  private final byte[] nonce = new byte[GcmBuffers.NONCE_LENGTH];

  JcaPeerAead(Provider provider, byte[] keyBytes) throws GeneralSecurityException {
    this.cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
    this.key = new SecretKeySpec(keyBytes, "AES");
    this.random = SecureRandom.getInstance("DRBG");
  }

  @Override
  public byte[] encrypt(byte[] in, int length, byte[] aad, byte[] out) throws GeneralSecurityException {
    random.nextBytes(nonce);
    cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(aad);
    cipher.doFinal(in, 0, length, out, GcmBuffers.NONCE_LENGTH);
    System.arraycopy(nonce, 0, out, 0, GcmBuffers.NONCE_LENGTH);
    return out;
  }

  @Override
  public byte[] decrypt(byte[] in, int length, byte[] aad, byte[] out) throws GeneralSecurityException {
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, GcmBuffers.NONCE_LENGTH));
    cipher.updateAAD(aad);
    cipher.doFinal(in, GcmBuffers.NONCE_LENGTH, length - GcmBuffers.NONCE_LENGTH, out, 0);
    return out;
  }

  @Override
  public int encrypt(ByteBuffer in, byte[] aad, ByteBuffer out) throws GeneralSecurityException {
    random.nextBytes(nonce);
    cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(aad);
    out.put(nonce);
    return GcmBuffers.NONCE_LENGTH + cipher.doFinal(in, out);
  }

  @Override
  public int decrypt(ByteBuffer in, byte[] aad, ByteBuffer out) throws GeneralSecurityException {
    in.get(nonce);
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(aad);
    return cipher.doFinal(in, out);
  }
}
