package com.plugsky.crypto.bench.pkcs11;

import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.KeyPairType;
import com.plugsky.crypto.pkcs11.SignatureAlgorithm;
import com.plugsky.crypto.pkcs11.ffm.FfmHsm;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.util.UUID;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * What the ffm backend's session pool costs: the same operations as {@link Pkcs11Benchmark}, each
 * call either borrowing a session from the pool ({@code pooled}, what every caller does) or running
 * on a session the benchmark thread holds for the whole trial ({@code held}, {@link
 * FfmHsm#holdSession()}: no checkout, the bare-session baseline). The pool has one session per
 * benchmark thread; run with {@code -t 2} for two threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class SessionPoolBenchmark {
  private static final byte[] IV = new byte[12];
  private static final byte[] NO_AAD = new byte[0];

  /** {@code pooled}: a checkout per call; {@code held}: the thread's own session. */
  @Param({"pooled", "held"})
  public String session;

  private FfmHsm hsm;
  private HsmKey aesKey;
  private HsmKey ecKey;
  private byte[] plaintext;
  private byte[] data;

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) {
    hsm = (FfmHsm) Hsm.open(SoftHsmToken.config(HsmConfig.Backend.FFM, params.getThreads()));
    String run = UUID.randomUUID().toString();
    aesKey = HsmKey.label("bench-pool-aes-" + run);
    ecKey = HsmKey.label("bench-pool-ec-" + run);
    hsm.generateAesKey(aesKey);
    hsm.generateKeyPair(ecKey, KeyPairType.EC_P256);
    plaintext = CryptoRandom.bytes(1024);
    data = CryptoRandom.bytes(32);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    hsm.close();
  }

  /** The benchmark thread's held session, in the {@code held} trials. */
  @State(Scope.Thread)
  public static class ThreadSession {
    private FfmHsm.HeldSession held;

    /** Runs on the benchmark thread itself (JMH sets thread states up there). */
    @Setup(Level.Trial)
    public void hold(SessionPoolBenchmark benchmark) {
      if (benchmark.session.equals("held")) {
        held = benchmark.hsm.holdSession();
      }
    }

    @TearDown(Level.Trial)
    public void giveBack() {
      if (held != null) {
        held.close();
      }
    }
  }

  @Benchmark
  public byte[] aesGcmEncrypt1KiB(ThreadSession thread) {
    return hsm.encryptAesGcm(aesKey, IV, plaintext, NO_AAD);
  }

  @Benchmark
  public byte[] ecdsaP256Sign(ThreadSession thread) {
    return hsm.sign(ecKey, SignatureAlgorithm.ECDSA_SHA256, data);
  }
}
