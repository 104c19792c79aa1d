package com.plugsky.crypto.bench.envelope;

import com.plugsky.crypto.openssl.OpenSslRandomPoolSource;
import com.plugsky.crypto.openssl.PrecomputedHmacSha256;
import com.plugsky.crypto.primitive.RandomPoolSource;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Two building blocks of every envelope message under a cached data key, each on the JDK and on
 * what the envelope uses when the native module is present:
 *
 * <ul>
 *   <li>{@code payloadKeyHmac}: the HMAC-SHA256 that derives a message's payload key, one
 *       HKDF-Expand block (50 bytes: label, message id, 01) under a 32-byte key. {@code jdk} is
 *       {@link Mac} under one key (it hashes both pads again per MAC); {@code native} is {@link
 *       PrecomputedHmacSha256} (pad states hashed once, two libcrypto block calls per MAC).
 *   <li>{@code drbgRefill4KiB}: one refill of CryptoRandom's 4 KiB pool, which serves 128 message
 *       ids of 32 bytes. {@code jdk} is the JDK's default DRBG (Hash_DRBG, SHA-256); {@code
 *       native} is libcrypto's ({@link OpenSslRandomPoolSource}).
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class BuildingBlocksBenchmark {
  private static final int EXPAND_INPUT_LENGTH = 50;

  @Param({"jdk", "native"})
  public String engine;

  private final byte[] key = new byte[32];
  private final byte[] expandInput = new byte[EXPAND_INPUT_LENGTH];
  private final byte[] mac = new byte[32];
  private final byte[] pool = new byte[4096];
  private Mac jdkMac;
  private PrecomputedHmacSha256 nativeMac;
  private SecureRandom jdkDrbg;
  private RandomPoolSource nativeDrbg;

  @Setup
  public void setUp() throws GeneralSecurityException {
    new SecureRandom().nextBytes(key);
    new SecureRandom().nextBytes(expandInput);
    switch (engine) {
      case "jdk" -> {
        jdkMac = Mac.getInstance("HmacSHA256");
        jdkMac.init(new SecretKeySpec(key, "HmacSHA256"));
        jdkDrbg = SecureRandom.getInstance("DRBG");
      }
      case "native" -> {
        nativeMac = PrecomputedHmacSha256.of(key);
        nativeDrbg = new OpenSslRandomPoolSource();
      }
      default -> throw new IllegalArgumentException("engine is jdk or native, not " + engine);
    }
  }

  @Benchmark
  public byte[] payloadKeyHmac() throws ShortBufferException {
    expandInput[20]++;
    if (nativeMac != null) {
      nativeMac.mac(expandInput, 0, EXPAND_INPUT_LENGTH, mac, 0);
    } else {
      jdkMac.update(expandInput, 0, EXPAND_INPUT_LENGTH);
      jdkMac.doFinal(mac, 0);
    }
    return mac;
  }

  @Benchmark
  public byte[] drbgRefill4KiB() {
    if (nativeDrbg == null) {
      jdkDrbg.nextBytes(pool);
    } else if (!nativeDrbg.nextPublicBytes(pool)) {
      throw new IllegalStateException("libcrypto's DRBG failed");
    }
    return pool;
  }
}
