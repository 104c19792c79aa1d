package com.plugsky.crypto.engine.jca;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.engine.spi.HkdfSha256;
import com.plugsky.crypto.engine.spi.KeyWrapRules;
import com.plugsky.crypto.primitive.KeyWrapMode;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Key wrap and HMAC from a JCA provider; HKDF built on that provider's HMAC. */
final class JcaSymmetricPrimitives implements SymmetricPrimitives {
  // HMAC pads keys with zeros to the block size, so an empty key and one zero byte are the same
  // key; JCA refuses empty key arrays, so the empty key is passed as that one byte.
  private static final byte[] EMPTY_HMAC_KEY_EQUIVALENT = new byte[1];

  private final Provider provider;
  private final ThreadLocal<Mac> macs;
  private final String kwTransformation;
  private final String kwpTransformation;
  // One Cipher per thread and mode, re-initialised per call: a provider look-up per key wrap cost
  // more than the wrap itself.
  private final ThreadLocal<Cipher> kwCiphers;
  private final ThreadLocal<Cipher> kwpCiphers;

  /** A null transformation means the provider lacks that wrap mode. */
  JcaSymmetricPrimitives(Provider provider, String kwTransformation, String kwpTransformation) {
    this.provider = provider;
    this.macs = ThreadLocal.withInitial(this::newMac);
    this.kwTransformation = kwTransformation;
    this.kwpTransformation = kwpTransformation;
    this.kwCiphers = ThreadLocal.withInitial(() -> newCipher(kwTransformation));
    this.kwpCiphers = ThreadLocal.withInitial(() -> newCipher(kwpTransformation));
  }

  @Override
  public boolean supports(KeyWrapMode mode) {
    return transformation(mode) != null;
  }

  @Override
  public byte[] wrapKey(KeyWrapMode mode, byte[] kek, byte[] keyData) {
    KeyWrapRules.checkKek(kek);
    KeyWrapRules.checkKeyData(mode, keyData);
    try {
      return cipher(mode, Cipher.ENCRYPT_MODE, kek).doFinal(keyData);
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException(mode + " wrap refused by the engine: " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] unwrapKey(KeyWrapMode mode, byte[] kek, byte[] wrapped) {
    KeyWrapRules.checkKek(kek);
    KeyWrapRules.checkWrapped(mode, wrapped);
    Cipher cipher;
    try {
      cipher = cipher(mode, Cipher.DECRYPT_MODE, kek);
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException(mode + " unwrap refused by the engine: " + e.getMessage(), e);
    }
    try {
      return cipher.doFinal(wrapped);
    } catch (GeneralSecurityException | RuntimeException e) {
      // The lengths were checked above, so what remains is the integrity check, which providers
      // report each their own way: BadPaddingException (Bouncy Castle), IllegalBlockSizeException
      // (SunJCE), an unchecked RuntimeCryptoException (ACCP).
      throw new AuthenticationFailedException(mode + " unwrap failed its integrity check: wrong key or modified data", e);
    }
  }

  @Override
  public byte[] hmacSha256(byte[] key, byte[] message) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(message, "message");
    try {
      Mac mac = macs.get();
      mac.init(new SecretKeySpec(key.length == 0 ? EMPTY_HMAC_KEY_EQUIVALENT : key, "HmacSHA256"));
      return mac.doFinal(message);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      // BC-FIPS in approved-only mode refuses keys under 112 bits with an unchecked
      // org.bouncycastle.crypto.IllegalKeyException (an IllegalArgumentException), not a JCA exception.
      throw new InvalidInputException("HMAC-SHA256 refused by the engine: " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] hkdfSha256(byte[] inputKeyMaterial, byte[] salt, byte[] info, int length) {
    return HkdfSha256.derive(this::hmacSha256, inputKeyMaterial, salt, info, length);
  }

  private Mac newMac() {
    try {
      return Mac.getInstance("HmacSHA256", provider);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(provider.getName() + " lacks HmacSHA256", e);
    }
  }

  private Cipher newCipher(String transformation) {
    try {
      return Cipher.getInstance(transformation, provider);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(provider.getName() + " lacks " + transformation, e);
    }
  }

  private String transformation(KeyWrapMode mode) {
    return mode == KeyWrapMode.AES_KW ? kwTransformation : kwpTransformation;
  }

  private Cipher cipher(KeyWrapMode mode, int opmode, byte[] kek) throws GeneralSecurityException {
    String transformation = transformation(mode);
    if (transformation == null) {
      throw new UnsupportedOperationException(provider.getName() + " does not implement " + mode);
    }
    Cipher cipher = (mode == KeyWrapMode.AES_KW ? kwCiphers : kwpCiphers).get();
    cipher.init(opmode, new SecretKeySpec(kek, "AES"));
    return cipher;
  }
}
