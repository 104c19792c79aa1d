package com.plugsky.crypto.engine.jca;

import com.plugsky.crypto.engine.spi.AbstractInsecureRawGcm;
import java.security.GeneralSecurityException;
import java.security.Provider;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** Raw GCM on a JCA provider; a fresh Cipher per call because providers refuse IV reuse on one. */
final class JcaInsecureRawGcm extends AbstractInsecureRawGcm {
  private final Provider provider;
  private final boolean boringSslAeadLimits;

  /**
   * @param boringSslAeadLimits whether the provider sits on BoringSSL's EVP_AEAD (Conscrypt), which
   *     takes 96-bit IVs and 128- or 256-bit keys only
   */
  JcaInsecureRawGcm(Provider provider, boolean boringSslAeadLimits) {
    this.provider = provider;
    this.boringSslAeadLimits = boringSslAeadLimits;
  }

  @Override
  public boolean supportsIvLength(int ivBytes) {
    return boringSslAeadLimits ? ivBytes == 12 : ivBytes > 0;
  }

  @Override
  public boolean supportsKeyLength(int keyBytes) {
    return keyBytes == 16 || keyBytes == 32 || keyBytes == 24 && !boringSslAeadLimits;
  }

  @Override
  protected byte[] encryptFullTag(byte[] key, byte[] iv, byte[] aad, byte[] plaintext)
      throws GeneralSecurityException {
    return run(Cipher.ENCRYPT_MODE, key, iv, aad, plaintext);
  }

  @Override
  protected byte[] decryptFullTag(byte[] key, byte[] iv, byte[] aad, byte[] ciphertextAndTag)
      throws GeneralSecurityException {
    return run(Cipher.DECRYPT_MODE, key, iv, aad, ciphertextAndTag);
  }

  private byte[] run(int mode, byte[] key, byte[] iv, byte[] aad, byte[] input) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
    cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    cipher.updateAAD(aad);
    return cipher.doFinal(input);
  }
}
