package com.plugsky.crypto.primitive;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The library's source of nonces, data keys and message ids: NIST SP 800-90A DRBGs seeded from the
 * operating system. A platform thread gets a DRBG of its own, so hot paths do not contend on a
 * lock; virtual threads share a small set of DRBGs picked by thread id, because seeding a fresh
 * DRBG for each of millions of short-lived virtual threads would cost more than their work.
 *
 * <p>The nonce and key pools are refilled by a faster {@link RandomPoolSource} when one is on the
 * class path (the native module's libcrypto DRBG fills 4 KiB in 2.65 µs here, the JDK's Hash_DRBG
 * in 9.4 µs, so a 32-byte message id costs 21 ns instead of 73: BuildingBlocksBenchmark), except with
 * {@code -Dplugsky.crypto.fips=true}, which keeps every byte in the JDK's DRBG. A refill the
 * source fails falls back to the JDK's DRBG.
 */
public final class CryptoRandom {
  private static final int NONCE_POOL_BYTES = 4096;
  private static final int KEY_POOL_BYTES = 4096;
  private static final String FIPS_PROPERTY = "plugsky.crypto.fips";
  /** Read once, when the class loads, as the pool source is chosen. */
  private static final boolean FIPS_MODE = Boolean.getBoolean(FIPS_PROPERTY);
  private static final RandomPoolSource POOL_SOURCE = loadPoolSource();
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

  /**
   * Random bytes for a secret key (a data key), served from a pool of {@value #KEY_POOL_BYTES}
   * bytes that the DRBG refills in one request: a DRBG call costs about as much for 32 bytes as
   * for a kilobyte (libcrypto's: 2.2 µs up to 1 KiB, 2.65 µs for 4 KiB here), so a key costs 21 ns
   * of a 4 KiB refill against 70 ns of a 1 KiB one and 2.2 µs alone. Each byte is zeroed in the
   * pool as it is handed out, so the pool never holds a key already drawn (memory read later shows
   * none of them). It holds at most {@value #KEY_POOL_BYTES} bytes of keys not drawn yet, which
   * gives away no more than the DRBG's own state beside it, from which anyone reading memory
   * computes every output up to the next reseed. With {@code -Dplugsky.crypto.fips=true} (read
   * when this class loads) every key is its own DRBG request, as before pooling.
   */
  public static void nextKey(byte[] into) {
    Source source = source();
    if (FIPS_MODE) {
      source.drbg.nextBytes(into);
    } else {
      source.takeKey(into);
    }
  }

  public static void nextBytes(byte[] into) {
    source().drbg.nextBytes(into);
  }

  public static byte[] bytes(int length) {
    byte[] out = new byte[length];
    nextBytes(out);
    return out;
  }

  /** What refills the nonce and key pools: a {@link RandomPoolSource}, or the JDK's DRBG. */
  public static String poolSource() {
    return POOL_SOURCE != null ? POOL_SOURCE.description() : "the JDK's DRBG";
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

  /** A DRBG (thread-safe on its own) and the nonce and key pools it refills. */
  private static final class Source {
    private final SecureRandom drbg = newDrbg();
    private final byte[] pool = new byte[NONCE_POOL_BYTES];
    private int next = NONCE_POOL_BYTES;
    private final byte[] keyPool = new byte[KEY_POOL_BYTES];
    private int nextKey = KEY_POOL_BYTES;

    synchronized void takeKey(byte[] into) {
      if (into.length > KEY_POOL_BYTES) {
        drbg.nextBytes(into);
        return;
      }
      if (nextKey + into.length > KEY_POOL_BYTES) {
        if (POOL_SOURCE == null || !POOL_SOURCE.nextPrivateBytes(keyPool)) {
          drbg.nextBytes(keyPool);
        }
        nextKey = 0;
      }
      System.arraycopy(keyPool, nextKey, into, 0, into.length);
      Arrays.fill(keyPool, nextKey, nextKey + into.length, (byte) 0);
      nextKey += into.length;
    }

    synchronized void takeNonce(byte[] into) {
      if (into.length > NONCE_POOL_BYTES) {
        drbg.nextBytes(into);
        return;
      }
      if (next + into.length > NONCE_POOL_BYTES) {
        if (POOL_SOURCE == null || !POOL_SOURCE.nextPublicBytes(pool)) {
          drbg.nextBytes(pool);
        }
        next = 0;
      }
      System.arraycopy(pool, next, into, 0, into.length);
      next += into.length;
    }
  }

  /** The first source on the class path that loads, unless FIPS mode keeps the JDK's DRBG. */
  private static RandomPoolSource loadPoolSource() {
    if (FIPS_MODE) {
      return null;
    }
    try {
      for (ServiceLoader.Provider<RandomPoolSource> provider :
          ServiceLoader.load(RandomPoolSource.class, CryptoRandom.class.getClassLoader())
              .stream()
              .toList()) {
        try {
          return provider.get();
        } catch (ServiceConfigurationError | LinkageError | RuntimeException unavailable) {
          // The next source, or the JDK's DRBG: both serve.
        }
      }
    } catch (ServiceConfigurationError unreadable) {
      return null;
    }
    return null;
  }

  private static SecureRandom newDrbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }
}
