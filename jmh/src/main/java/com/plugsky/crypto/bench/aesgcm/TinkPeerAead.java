package com.plugsky.crypto.bench.aesgcm;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.util.SecretBytes;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;

/**
 * Tink's AES-256-GCM ({@link AesGcmJce}, no output prefix, so its ciphertext is exactly {@code
 * nonce || ciphertext || tag} like ours). Tink draws the nonce itself.
 *
 * <p>Tink's API takes and returns whole {@code byte[]}s: every call allocates its result, and the
 * direct-buffer forms copy the input out of and the result into the direct buffers, which is what a
 * Tink user holding direct buffers has to do.
 */
final class TinkPeerAead implements PeerAead {
  private final Aead aead;
  private byte[] plaintextScratch = new byte[0];
  private byte[] ciphertextScratch = new byte[0];

  TinkPeerAead(byte[] keyBytes) throws GeneralSecurityException {
    AesGcmParameters parameters =
        AesGcmParameters.builder()
            .setKeySizeBytes(keyBytes.length)
            .setIvSizeBytes(GcmBuffers.NONCE_LENGTH)
            .setTagSizeBytes(16)
            .setVariant(AesGcmParameters.Variant.NO_PREFIX)
            .build();
    AesGcmKey key =
        AesGcmKey.builder()
            .setParameters(parameters)
            .setKeyBytes(SecretBytes.copyFrom(keyBytes, InsecureSecretKeyAccess.get()))
            .build();
    this.aead = AesGcmJce.create(key);
  }

  @Override
  public byte[] encrypt(byte[] in, int length, byte[] aad, byte[] out) throws GeneralSecurityException {
    return aead.encrypt(exactly(in, length), aad);
  }

  @Override
  public byte[] decrypt(byte[] in, int length, byte[] aad, byte[] out) throws GeneralSecurityException {
    return aead.decrypt(exactly(in, length), aad);
  }

  @Override
  public int encrypt(ByteBuffer in, byte[] aad, ByteBuffer out) throws GeneralSecurityException {
    int length = in.remaining();
    if (plaintextScratch.length != length) {
      plaintextScratch = new byte[length];
    }
    in.get(plaintextScratch);
    byte[] sealed = aead.encrypt(plaintextScratch, aad);
    out.put(sealed);
    return sealed.length;
  }

  @Override
  public int decrypt(ByteBuffer in, byte[] aad, ByteBuffer out) throws GeneralSecurityException {
    int length = in.remaining();
    if (ciphertextScratch.length != length) {
      ciphertextScratch = new byte[length];
    }
    in.get(ciphertextScratch);
    byte[] opened = aead.decrypt(ciphertextScratch, aad);
    out.put(opened);
    return opened.length;
  }

  /** The benchmarks pass whole arrays; anything else would need a copy Tink's API forces. */
  private static byte[] exactly(byte[] array, int length) {
    if (array.length != length) {
      throw new IllegalArgumentException("Tink takes whole arrays; got " + length + " of " + array.length + " bytes");
    }
    return array;
  }
}
