package com.plugsky.crypto.engine;

import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.primitive.CryptoRandom;

/**
 * Runs the JDK engine's AES-GCM on a throwaway key in a daemon thread until the JIT has compiled
 * it, so that callers never meet the interpreted path. SunJCE sends whole 512-byte chunks through
 * one AVX-512 stub and the rest (short messages, tails, the AAD) through separate AES-CTR and GHASH
 * stubs, and each stub is used only once its Java caller is compiled by C2, so the warm-up runs a
 * short message with a tail (1,000 bytes) as well as a long one (16 KiB). Done is a guess by measurement:
 * once each size has made {@link #FAST_ROUNDS_NEEDED} round trips in a row faster than {@link
 * #WARM_BYTES_PER_NANO} (1 GB/s, ten times the interpreter), or after {@link #MAX_ROUNDS}.
 */
final class JdkWarmup {
  private static final int[] MESSAGE_SIZES = {1000, 16 * 1024};
  private static final int MAX_ROUNDS = 20_000;
  private static final double WARM_BYTES_PER_NANO = 1.0;
  private static final int FAST_ROUNDS_NEEDED = 200;

  private volatile boolean done;

  private JdkWarmup() {}

  static JdkWarmup start(AeadEngine jdk) {
    JdkWarmup warmup = new JdkWarmup();
    Thread.ofPlatform().daemon().name("plugsky-jdk-gcm-warmup").start(() -> warmup.run(jdk));
    return warmup;
  }

  boolean isDone() {
    return done;
  }

  private void run(AeadEngine jdk) {
    try (Aead aead = jdk.newAead(CryptoRandom.bytes(Aead.KEY_LENGTH))) {
      int largest = MESSAGE_SIZES[MESSAGE_SIZES.length - 1];
      byte[] plaintext = new byte[largest];
      byte[] sealed = new byte[largest + Aead.OVERHEAD];
      byte[] aad = new byte[16];
      int[] fastRounds = new int[MESSAGE_SIZES.length];
      for (int round = 0; round < MAX_ROUNDS && !allAtLeast(fastRounds, FAST_ROUNDS_NEEDED); round++) {
        for (int i = 0; i < MESSAGE_SIZES.length; i++) {
          int size = MESSAGE_SIZES[i];
          long start = System.nanoTime();
          aead.encrypt(plaintext, 0, size, aad, sealed, 0);
          aead.decrypt(sealed, 0, size + Aead.OVERHEAD, aad, plaintext, 0);
          double bytesPerNano = 2.0 * size / Math.max(1, System.nanoTime() - start);
          fastRounds[i] = bytesPerNano >= WARM_BYTES_PER_NANO ? fastRounds[i] + 1 : 0;
        }
      }
    } finally {
      done = true;
    }
  }

  private static boolean allAtLeast(int[] counts, int needed) {
    for (int count : counts) {
      if (count < needed) {
        return false;
      }
    }
    return true;
  }
}
