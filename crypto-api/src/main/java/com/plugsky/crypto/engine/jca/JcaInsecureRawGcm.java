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
  private final boolean onlyTwelveByteIvs;

  JcaInsecureRawGcm(Provider provider, boolean onlyTwelveByteIvs) {
    this.provider = provider;
    this.onlyTwelveByteIvs = onlyTwelveByteIvs;
  }

  @Override
  public boolean supportsIvLength(int ivBytes) {
    return onlyTwelveByteIvs ? ivBytes == 12 : ivBytes > 0;
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
