package com.plugsky.crypto.engine.jca;

import com.plugsky.crypto.engine.spi.AbstractAead;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM on a JCA provider. Each call re-initialises its thread's {@link Cipher}, which the
 * engine shares across all its keys, so neither a call nor a new key (one per envelope message)
 * looks a provider up again.
 */
final class JcaAead extends AbstractAead {
  private static final int TAG_BITS = TAG_LENGTH * 8;

  private final DestroyableAesKey key;
  private final ThreadLocal<SecureRandom> moduleRandom;
  private final ThreadLocal<Cipher> ciphers;

  /**
   * @param moduleRandom when not null, the module generates each nonce from this (its approved
   *     DRBG) instead of taking the one {@link AbstractAead} drew
   */
  JcaAead(String engineName, ThreadLocal<Cipher> ciphers, byte[] keyBytes, ThreadLocal<SecureRandom> moduleRandom) {
    super(engineName, keyBytes);
    this.key = new DestroyableAesKey(keyBytes);
    this.moduleRandom = moduleRandom;
    this.ciphers = ciphers;
  }

  @Override
  protected int seal(byte[] nonce, boolean callerNonce, byte[] aad, byte[] in, int offset, int length, byte[] out, int outOffset)
      throws GeneralSecurityException {
    Cipher cipher = initEncrypt(nonce, callerNonce, aad);
    return cipher.doFinal(in, offset, length, out, outOffset);
  }

  @Override
  protected int open(byte[] nonce, byte[] aad, byte[] in, int offset, int length, byte[] out, int outOffset)
      throws GeneralSecurityException {
    Cipher cipher = initDecrypt(nonce, aad);
    return cipher.doFinal(in, offset, length, out, outOffset);
  }

  @Override
  protected int seal(byte[] nonce, boolean callerNonce, byte[] aad, ByteBuffer in, ByteBuffer out)
      throws GeneralSecurityException {
    return initEncrypt(nonce, callerNonce, aad).doFinal(in, out);
  }

  @Override
  protected int open(byte[] nonce, byte[] aad, ByteBuffer in, ByteBuffer out) throws GeneralSecurityException {
    return initDecrypt(nonce, aad).doFinal(in, out);
  }

  @Override
  protected void destroyKey() {
    key.destroy();
  }

  private Cipher initEncrypt(byte[] nonce, boolean callerNonce, byte[] aad) throws GeneralSecurityException {
    Cipher cipher = ciphers.get();
    if (moduleRandom != null && !callerNonce) {
      // FIPS approved mode: the validated module generates the IV itself (SP 800-38D 8.2.2).
      cipher.init(Cipher.ENCRYPT_MODE, key, moduleRandom.get());
      byte[] generated = cipher.getIV();
      if (generated.length != NONCE_LENGTH) {
        throw new GeneralSecurityException(
            "module generated a " + generated.length + "-byte GCM IV; this format needs " + NONCE_LENGTH);
      }
      System.arraycopy(generated, 0, nonce, 0, NONCE_LENGTH);
    } else {
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
    }
    if (aad.length > 0) {
      cipher.updateAAD(aad);
    }
    return cipher;
  }

  private Cipher initDecrypt(byte[] nonce, byte[] aad) throws GeneralSecurityException {
    Cipher cipher = ciphers.get();
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
    if (aad.length > 0) {
      cipher.updateAAD(aad);
    }
    return cipher;
  }
}
