package com.plugsky.crypto.primitive;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * The library's source of nonces, data keys and message ids: one NIST SP 800-90A DRBG per thread
 * (seeded from the operating system), so that hot paths do not contend on a shared lock.
 */
public final class CryptoRandom {
  private static final ThreadLocal<SecureRandom> PER_THREAD =
      ThreadLocal.withInitial(CryptoRandom::newDrbg);

  private CryptoRandom() {}

  public static void nextBytes(byte[] into) {
    PER_THREAD.get().nextBytes(into);
  }

  public static byte[] bytes(int length) {
    byte[] out = new byte[length];
    nextBytes(out);
    return out;
  }

  /** A SecureRandom for APIs that take one (JCA init, key generators). */
  public static SecureRandom secureRandom() {
    return PER_THREAD.get();
  }

  private static SecureRandom newDrbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }
}
