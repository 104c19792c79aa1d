package com.plugsky.crypto.primitive;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * The library's source of nonces, data keys and message ids: NIST SP 800-90A DRBGs seeded from the
 * operating system. A platform thread gets a DRBG of its own, so hot paths do not contend on a
 * lock; virtual threads share a small set of DRBGs picked by thread id, because seeding a fresh
 * DRBG for each of millions of short-lived virtual threads would cost more than their work.
 */
public final class CryptoRandom {
  private static final int NONCE_POOL_BYTES = 4096;
  private static final ThreadLocal<Source> PER_PLATFORM_THREAD = ThreadLocal.withInitial(Source::new);
  private static final Source[] FOR_VIRTUAL_THREADS = newSources();

  private CryptoRandom() {}

  /**
   * Random bytes for a value that is public once used, such as a GCM nonce, served from a pool
   * that the DRBG refills {@value #NONCE_POOL_BYTES} bytes at a time: one DRBG call costs about as
   * much as encrypting a small message, and a pool makes it about 1% of one. Every byte is handed
   * out once. Never use this for keys or anything secret: pooled bytes wait in memory until used,
   * which is harmless only for values that are published anyway.
   */
  public static void nextNonce(byte[] into) {
    source().takeNonce(into);
  }

  public static void nextBytes(byte[] into) {
    source().drbg.nextBytes(into);
  }

  public static byte[] bytes(int length) {
    byte[] out = new byte[length];
    nextBytes(out);
    return out;
  }

  /** A SecureRandom for APIs that take one (JCA init, key generators). */
  public static SecureRandom secureRandom() {
    return source().drbg;
  }

  private static Source source() {
    Thread current = Thread.currentThread();
    if (current.isVirtual()) {
      return FOR_VIRTUAL_THREADS[(int) (current.threadId() & (FOR_VIRTUAL_THREADS.length - 1))];
    }
    return PER_PLATFORM_THREAD.get();
  }

  private static Source[] newSources() {
    int count = Integer.highestOneBit(Math.max(8, 4 * Runtime.getRuntime().availableProcessors()));
    Source[] sources = new Source[count];
    for (int i = 0; i < count; i++) {
      sources[i] = new Source();
    }
    return sources;
  }

  /** A DRBG (thread-safe on its own) and the nonce pool it refills. */
  private static final class Source {
    private final SecureRandom drbg = newDrbg();
    private final byte[] pool = new byte[NONCE_POOL_BYTES];
    private int next = NONCE_POOL_BYTES;

    synchronized void takeNonce(byte[] into) {
      if (into.length > NONCE_POOL_BYTES) {
        drbg.nextBytes(into);
        return;
      }
      if (next + into.length > NONCE_POOL_BYTES) {
        drbg.nextBytes(pool);
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
