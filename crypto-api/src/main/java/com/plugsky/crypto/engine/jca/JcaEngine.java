package com.plugsky.crypto.engine.jca;

import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.aead.InsecureRawGcm;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.SecureRandom;
import javax.crypto.Cipher;

/** An engine backed by one JCA provider instance. */
final class JcaEngine implements AeadEngine {
  private final String name;
  private final Provider provider;
  private final ThreadLocal<SecureRandom> approvedRandom;
  private final ThreadLocal<Cipher> gcmCiphers;
  private final InsecureRawGcm rawGcm;
  private final SymmetricPrimitives primitives;
  private final ConscryptAead.Calls oneShotCalls;

  /**
   * @param approvedRandom the module's approved DRBG when it runs in FIPS approved-only mode (it
   *     then generates GCM nonces itself); null otherwise
   * @param kwTransformation the provider's RFC 3394 cipher, null if it has none
   * @param kwpTransformation the provider's RFC 5649 cipher, null if it has none
   * @param boringSslAeadLimits whether the provider's GCM is BoringSSL's EVP_AEAD (96-bit IVs,
   *     128/256-bit keys only)
   * @param oneShotCalls Conscrypt's one-shot AEAD calls, which this engine's keys take instead of
   *     its {@code Cipher} when they are available; null for other providers
   */
  JcaEngine(
      String name,
      Provider provider,
      ThreadLocal<SecureRandom> approvedRandom,
      String kwTransformation,
      String kwpTransformation,
      boolean boringSslAeadLimits,
      ConscryptAead.Calls oneShotCalls) {
    this.name = name;
    this.oneShotCalls = oneShotCalls;
    this.provider = provider;
    this.approvedRandom = approvedRandom;
    this.gcmCiphers = ThreadLocal.withInitial(() -> newCipher("AES/GCM/NoPadding", provider));
    this.rawGcm = new JcaInsecureRawGcm(provider, boringSslAeadLimits);
    this.primitives = new JcaSymmetricPrimitives(provider, kwTransformation, kwpTransformation);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean isFipsApproved() {
    return approvedRandom != null;
  }

  @Override
  public Aead newAead(byte[] key) {
    if (oneShotCalls != null && oneShotCalls.isAvailable()) {
      return new ConscryptAead(name, oneShotCalls, gcmCiphers, key);
    }
    return new JcaAead(name, gcmCiphers, key, approvedRandom);
  }

  @Override
  public InsecureRawGcm insecureRawGcm() {
    return rawGcm;
  }

  @Override
  public SymmetricPrimitives primitives() {
    return primitives;
  }

  @Override
  public String toString() {
    String path = "";
    if (oneShotCalls != null) {
      path =
          oneShotCalls.isAvailable()
              ? ", one-shot EVP_AEAD calls"
              : ", Cipher path: " + oneShotCalls.unavailabilityCause();
    }
    return "AeadEngine[" + name + " on " + provider.getName() + " " + provider.getVersionStr() + path + "]";
  }

  static Cipher newCipher(String transformation, Provider provider) {
    try {
      return Cipher.getInstance(transformation, provider);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(provider.getName() + " lacks " + transformation, e);
    }
  }
}
