package com.plugsky.crypto.bench.aesgcm;

import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.aead.InsecureNonceAead;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A new key for every message, as the envelope format does (one payload key per message): key
 * set-up, one AES-256-GCM seal or open of {@code size} bytes under a caller nonce, and destroying
 * the key. What an engine charges here, not its steady-state GCM speed, bounds the envelope's
 * cached path. The key changes every operation so that no engine can keep a schedule across them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class FreshKeyBenchmark {
  /** 37 bytes, as the envelope's frame AAD: message id, frame index and final flag. */
  private static final byte[] AAD = CryptoRandom.bytes(37);

  private static final int MESSAGES_TO_OPEN = 64;

  @Param({"native", "jdk", "accp", "conscrypt"})
  public String engine;

  @Param({"1024", "16384"})
  public int size;

  private AeadEngine aeadEngine;
  private final byte[] key = CryptoRandom.bytes(Aead.KEY_LENGTH);
  private final byte[] nonce = new byte[Aead.NONCE_LENGTH];
  private byte[] plaintext;
  private byte[] sealed;
  private byte[] opened;
  /** Messages to open, each sealed under its own key: opened in turn, so the key changes each time. */
  private final byte[][] toOpen = new byte[MESSAGES_TO_OPEN][];
  private final byte[][] toOpenKeys = new byte[MESSAGES_TO_OPEN][];
  private int nextToOpen;

  @Setup(Level.Trial)
  public void setUp() {
    aeadEngine = engine.equals("default") ? Engines.defaultEngine() : Engines.named(engine);
    plaintext = CryptoRandom.bytes(size);
    sealed = new byte[size + 16];
    opened = new byte[size];
    for (int i = 0; i < MESSAGES_TO_OPEN; i++) {
      toOpenKeys[i] = CryptoRandom.bytes(Aead.KEY_LENGTH);
      toOpen[i] = new byte[size + 16];
      try (InsecureNonceAead aead = aeadEngine.newInsecureNonceAead(toOpenKeys[i])) {
        aead.encrypt(nonce, plaintext, 0, size, AAD, toOpen[i], 0);
      }
    }
    for (int i = 0; i < MESSAGES_TO_OPEN; i++) {
      decryptUnderNewKey();
      if (!Arrays.equals(opened, plaintext)) {
        throw new IllegalStateException("engine " + engine + " did not round-trip under a fresh key");
      }
    }
  }

  @Benchmark
  public int encryptUnderNewKey() {
    key[0]++;
    try (InsecureNonceAead aead = aeadEngine.newInsecureNonceAead(key)) {
      return aead.encrypt(nonce, plaintext, 0, size, AAD, sealed, 0);
    }
  }

  /**
   * Opens the next of 64 messages, each under its own key, as a service opens messages under their
   * own payload keys. Opening one message again and again would let an engine that remembers its
   * last key skip the key schedule (the JDK's AES does), which no envelope message allows.
   */
  @Benchmark
  public int decryptUnderNewKey() {
    int i = nextToOpen++ & (MESSAGES_TO_OPEN - 1);
    try (InsecureNonceAead aead = aeadEngine.newInsecureNonceAead(toOpenKeys[i])) {
      return aead.decrypt(nonce, toOpen[i], 0, toOpen[i].length, AAD, opened, 0);
    }
  }
}
