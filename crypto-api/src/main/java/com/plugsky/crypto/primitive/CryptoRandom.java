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
  private static final int NONCE_POOL_BYTES = 4096;
  private static final ThreadLocal<NoncePool> NONCE_POOLS = ThreadLocal.withInitial(NoncePool::new);

  private CryptoRandom() {}

  /**
   * Random bytes for a value that is public once used, such as a GCM nonce, served from a
   * per-thread pool that the DRBG refills {@value #NONCE_POOL_BYTES} bytes at a time: one DRBG call
   * costs about as much as encrypting a small message, and a pool makes it about 1% of one. Every
   * byte is handed out once. Never use this for keys or anything secret: pooled bytes wait in
   * memory until used, which is harmless only for values that are published anyway.
   */
  public static void nextNonce(byte[] into) {
    NONCE_POOLS.get().take(into);
  }

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

  private static final class NoncePool {
    private final byte[] pool = new byte[NONCE_POOL_BYTES];
    private int next = NONCE_POOL_BYTES;

    void take(byte[] into) {
      if (into.length > NONCE_POOL_BYTES) {
        nextBytes(into);
        return;
      }
      if (next + into.length > NONCE_POOL_BYTES) {
        nextBytes(pool);
        next = 0;
      }
      System.arraycopy(pool, next, into, 0, into.length);
      next += into.length;
    }
  }

  private static SecureRandom newDrbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }
}
