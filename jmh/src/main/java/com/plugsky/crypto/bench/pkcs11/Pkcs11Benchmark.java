package com.plugsky.crypto.bench.pkcs11;

import com.plugsky.crypto.pkcs11.Capabilities;
import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig;
import java.util.Locale;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * One PKCS#11 operation per call through each {@link Hsm} backend on a SoftHSM2 token this JVM
 * creates itself ({@link SoftHsmToken}), with token keys generated in the trial's setup:
 * AES-256-GCM encrypt of 1 KiB, CKM_AES_KEY_WRAP_PAD of a 32-byte secret and its unwrap, ECDSA
 * P-256 and RSA-2048 PSS signatures. {@link OneThread} and {@link TwoThreads} run the same methods;
 * the pool holds one session per thread. An operation a backend cannot drive on the token
 * (SunPKCS11's key wrap on SoftHSM2) fails its trial with the reason and the run goes on. The C
 * floor for the same calls is jmh/pkcs11-floor.sh, which ./bench pkcs11 runs after JMH.
 *
 * <p>Forks pre-touch their heap, as a service that has run for a while has: otherwise the first
 * write to each fresh 4 KiB page of the 1 GiB heap faults inside the measurement (a 1 KiB AES-GCM
 * result then costs 2-5 µs of page faults, against the C loop's resident buffers).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class Pkcs11Benchmark {
  /** The backend, as {@link HsmConfig.Backend} names it in lower case. */
  @Param({"ffm", "sunpkcs11", "iaik"})
  public String backend;

  private Hsm hsm;
  private TrialKeys keys;
  private byte[] wrapped;

  /** Sessions the pool may open: one per benchmark thread. */
  abstract int threads();

  @Setup(Level.Trial)
  public void setUp() {
    HsmConfig.Backend chosen = HsmConfig.Backend.valueOf(backend.toUpperCase(Locale.ROOT));
    hsm = Hsm.open(SoftHsmToken.config(chosen, threads()));
    keys = TrialKeys.generate(hsm);
    // Where the backend cannot wrap, unwrap gets well-formed bytes and fails with the reason.
    wrapped =
        hsm.capabilities().supports(Capabilities.Operation.AES_KEY_WRAP_PAD)
            ? keys.wrapSecret(hsm)
            : new byte[40];
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    hsm.close();
  }

  @Benchmark
  public byte[] aesGcmEncrypt1KiB() {
    return keys.encryptAesGcm(hsm);
  }

  @Benchmark
  public byte[] wrapKeyPad32() {
    return keys.wrapSecret(hsm);
  }

  @Benchmark
  public byte[] unwrapKeyPad32() {
    return keys.unwrapSecret(hsm, wrapped);
  }

  @Benchmark
  public byte[] ecdsaP256Sign() {
    return keys.signEcdsaP256(hsm);
  }

  @Benchmark
  public byte[] rsa2048PssSign() {
    return keys.signRsa2048Pss(hsm);
  }
}
