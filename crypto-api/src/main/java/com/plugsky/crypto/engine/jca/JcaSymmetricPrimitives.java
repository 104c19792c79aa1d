package com.plugsky.crypto.engine.jca;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.primitive.Bytes;
import com.plugsky.crypto.primitive.KeyWrapMode;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.Objects;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Key wrap and HMAC from a JCA provider; HKDF (RFC 5869) built on that provider's HMAC. */
final class JcaSymmetricPrimitives implements SymmetricPrimitives {
  private static final int HASH_LENGTH = 32;
  private static final int MAX_HKDF_LENGTH = 255 * HASH_LENGTH;
  // HMAC pads keys with zeros to the block size, so an empty key and one zero byte are the same
  // key; JCA refuses empty key arrays, so the empty key is passed as that one byte.
  private static final byte[] EMPTY_HMAC_KEY_EQUIVALENT = new byte[1];

  private final Provider provider;
  private final String kwTransformation;
  private final String kwpTransformation;

  JcaSymmetricPrimitives(Provider provider, String kwTransformation, String kwpTransformation) {
    this.provider = provider;
    this.kwTransformation = kwTransformation;
    this.kwpTransformation = kwpTransformation;
  }

  @Override
  public byte[] wrapKey(KeyWrapMode mode, byte[] kek, byte[] keyData) {
    checkKek(kek);
    Objects.requireNonNull(keyData, "keyData");
    if (mode == KeyWrapMode.AES_KW && (keyData.length < 16 || keyData.length % 8 != 0)) {
      throw new InvalidInputException(
          "AES-KW wraps key data of 16 or more bytes in multiples of 8, got " + keyData.length + " bytes");
    }
    if (mode == KeyWrapMode.AES_KWP && keyData.length == 0) {
      throw new InvalidInputException("AES-KWP wraps at least 1 byte of key data");
    }
    try {
      return cipher(mode, Cipher.ENCRYPT_MODE, kek).doFinal(keyData);
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException(mode + " wrap refused by the engine: " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] unwrapKey(KeyWrapMode mode, byte[] kek, byte[] wrapped) {
    checkKek(kek);
    Objects.requireNonNull(wrapped, "wrapped");
    int minimum = mode == KeyWrapMode.AES_KW ? 24 : 16;
    if (wrapped.length < minimum || wrapped.length % 8 != 0) {
      throw new MalformedCiphertextException(
          mode + " wrapped key must be a multiple of 8 bytes and at least " + minimum + ", got " + wrapped.length);
    }
    try {
      return cipher(mode, Cipher.DECRYPT_MODE, kek).doFinal(wrapped);
    } catch (BadPaddingException | IllegalBlockSizeException e) {
      // The length was checked above, so what remains is the integrity check: Bouncy Castle reports
      // a wrong ICV or padding as BadPaddingException, SunJCE as IllegalBlockSizeException.
      throw new AuthenticationFailedException(mode + " unwrap failed its integrity check: wrong key or modified data", e);
    } catch (GeneralSecurityException e) {
      throw new AuthenticationFailedException(mode + " unwrap refused by the engine", e);
    }
  }

  @Override
  public byte[] hmacSha256(byte[] key, byte[] message) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(message, "message");
    try {
      Mac mac = Mac.getInstance("HmacSHA256", provider);
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
    Objects.requireNonNull(inputKeyMaterial, "inputKeyMaterial");
    Objects.requireNonNull(salt, "salt (use an empty array for none)");
    Objects.requireNonNull(info, "info (use an empty array for none)");
    if (length < 1 || length > MAX_HKDF_LENGTH) {
      throw new InvalidInputException("HKDF-SHA256 output must be 1.." + MAX_HKDF_LENGTH + " bytes, got " + length);
    }
    byte[] prk = hmacSha256(salt.length == 0 ? new byte[HASH_LENGTH] : salt, inputKeyMaterial);
    try {
      Mac mac = Mac.getInstance("HmacSHA256", provider);
      mac.init(new SecretKeySpec(prk, "HmacSHA256"));
      byte[] okm = new byte[length];
      byte[] block = new byte[0];
      int written = 0;
      for (int counter = 1; written < length; counter++) {
        mac.update(block);
        mac.update(info);
        mac.update((byte) counter);
        Bytes.zero(block);
        block = mac.doFinal();
        int take = Math.min(block.length, length - written);
        System.arraycopy(block, 0, okm, written, take);
        written += take;
      }
      Bytes.zero(block);
      return okm;
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException("HKDF-SHA256 refused by the engine: " + e.getMessage(), e);
    } finally {
      Bytes.zero(prk);
    }
  }

  private Cipher cipher(KeyWrapMode mode, int opmode, byte[] kek) throws GeneralSecurityException {
    Cipher cipher =
        Cipher.getInstance(mode == KeyWrapMode.AES_KW ? kwTransformation : kwpTransformation, provider);
    cipher.init(opmode, new SecretKeySpec(kek, "AES"));
    return cipher;
  }

  private static void checkKek(byte[] kek) {
    Objects.requireNonNull(kek, "kek");
    if (kek.length != 16 && kek.length != 24 && kek.length != 32) {
      throw new InvalidInputException("AES key-encryption key must be 16, 24 or 32 bytes, got " + kek.length);
    }
  }
}
