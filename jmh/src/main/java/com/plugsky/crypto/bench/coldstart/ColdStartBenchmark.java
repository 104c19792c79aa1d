package com.plugsky.crypto.bench.coldstart;

import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.primitive.CryptoRandom;
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
 * The first {@code messages} encryptions in a fresh JVM, timed as one shot per fork: what a
 * service that just started pays before the JIT has compiled anything. SunJCE's GCM runs in the
 * interpreter until its AVX-512 intrinsic is compiled; native engines do not have that cliff.
 * Engine loading and self-tests happen in setup, as they would at service start.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 5, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 0)
@Measurement(iterations = 1)
public class ColdStartBenchmark {
  private static final byte[] AAD = new byte[16];

  @Param({"default", "jdk", "native", "accp"})
  public String engine;

  @Param({"1048576"})
  public int size;

  @Param({"200"})
  public int messages;

  private Aead aead;
  private byte[] plaintext;
  private byte[] sealed;

  @Setup(Level.Trial)
  public void setUp() {
    byte[] key = CryptoRandom.bytes(Aead.KEY_LENGTH);
    aead = engine.equals("default") ? Engines.newAead(key) : Engines.named(engine).newAead(key);
    plaintext = CryptoRandom.bytes(size);
    sealed = new byte[size + Aead.OVERHEAD];
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    aead.close();
  }

  @Benchmark
  public int firstMessages() {
    int written = 0;
    for (int i = 0; i < messages; i++) {
      written += aead.encrypt(plaintext, 0, size, AAD, sealed, 0);
    }
    return written;
  }
}
