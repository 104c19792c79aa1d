package com.plugsky.crypto.engine;

import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.primitive.CryptoRandom;

/**
 * Runs the JDK engine's AES-GCM on a throwaway key in a daemon thread until the JIT has compiled
 * it, so that callers never meet the interpreted path. Done is a guess by measurement: the loop
 * stops once a 16 KiB round trip runs faster than {@link #WARM_BYTES_PER_NANO} (1 GB/s, ten times
 * the interpreter), or after {@link #MAX_ROUNDS}.
 */
final class JdkWarmup {
  private static final int MESSAGE = 16 * 1024;
  private static final int MAX_ROUNDS = 20_000;
  private static final double WARM_BYTES_PER_NANO = 1.0;
  private static final int FAST_ROUNDS_NEEDED = 200;

  private final AeadEngine standIn;
  private volatile boolean done;

  private JdkWarmup(AeadEngine standIn) {
    this.standIn = standIn;
  }

  static JdkWarmup start(AeadEngine jdk, AeadEngine standIn) {
    JdkWarmup warmup = new JdkWarmup(standIn);
    Thread.ofPlatform().daemon().name("plugsky-jdk-gcm-warmup").start(() -> warmup.run(jdk));
    return warmup;
  }

  boolean isDone() {
    return done;
  }

  AeadEngine standIn() {
    return standIn;
  }

  private void run(AeadEngine jdk) {
    try (Aead aead = jdk.newAead(CryptoRandom.bytes(Aead.KEY_LENGTH))) {
      byte[] plaintext = new byte[MESSAGE];
      byte[] sealed = new byte[MESSAGE + Aead.OVERHEAD];
      byte[] aad = new byte[16];
      int fastRounds = 0;
      for (int round = 0; round < MAX_ROUNDS && fastRounds < FAST_ROUNDS_NEEDED; round++) {
        long start = System.nanoTime();
        aead.encrypt(plaintext, 0, MESSAGE, aad, sealed, 0);
        aead.decrypt(sealed, 0, sealed.length, aad, plaintext, 0);
        double bytesPerNano = 2.0 * MESSAGE / Math.max(1, System.nanoTime() - start);
        fastRounds = bytesPerNano >= WARM_BYTES_PER_NANO ? fastRounds + 1 : 0;
      }
    } finally {
      done = true;
    }
  }
}
