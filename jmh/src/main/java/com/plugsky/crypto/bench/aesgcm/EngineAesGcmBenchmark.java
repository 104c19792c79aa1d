package com.plugsky.crypto.bench.aesgcm;

import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.engine.Engines;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Our engines through our {@link Aead}: exactly what a service calling {@code Aead.encrypt} pays,
 * nonce generation and argument checks included.
 *
 * <p>{@code default} is what {@link Engines#newAead} hands a service: each call routed to the
 * engine measured fastest for its size and buffer kind. {@code engine} also lists each engine on
 * its own. Any engine that {@link Engines} can load
 * is measured by naming it, without a code change: {@code ./bench aes-gcm -p
 * engine=jdk,bc-fips,native}. A named engine that is absent or failed its known-answer test fails
 * its trial with {@link Engines}' reason and the run goes on.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class EngineAesGcmBenchmark {

  @Param({"default", "native", "jdk", "accp", "conscrypt", "bc-fips"})
  public String engine;

  @Param({"64", "1024", "16384", "1048576"})
  public int size;

  /** {@code array}: byte[] in and out; {@code direct}: direct ByteBuffers in and out. */
  @Param({"array", "direct"})
  public String buffer;

  private GcmBuffers io;
  private Aead aead;

  @Setup(Level.Trial)
  public void setUp() {
    aead = engine.equals("default") ? Engines.newAead(GcmBuffers.key()) : Engines.named(engine).newAead(GcmBuffers.key());
    io = new GcmBuffers(size, buffer);
    String who = "engine " + engine;
    io.useCiphertext(who, aead.encrypt(io.plaintext, GcmBuffers.AAD));

    io.clearOutputs();
    int written = io.direct ? encryptDirect() : encryptArray();
    checkCount(who + " encrypt", written, size + GcmBuffers.OVERHEAD);
    io.checkSealed(who, io.lastSealed());
    written = io.direct ? decryptDirect() : decryptArray();
    checkCount(who + " decrypt", written, size);
    io.checkOpened(who, io.lastOpened());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    aead.close();
  }

  @Benchmark
  public void encrypt(Blackhole bh) {
    bh.consume(io.direct ? encryptDirect() : encryptArray());
  }

  @Benchmark
  public void decrypt(Blackhole bh) {
    bh.consume(io.direct ? decryptDirect() : decryptArray());
  }

  private int encryptArray() {
    return aead.encrypt(io.plaintext, 0, size, GcmBuffers.AAD, io.sealed, 0);
  }

  private int encryptDirect() {
    return aead.encrypt(io.plaintextBuffer.clear(), GcmBuffers.AAD, io.sealedBuffer.clear());
  }

  private int decryptArray() {
    return aead.decrypt(io.ciphertext, 0, io.ciphertext.length, GcmBuffers.AAD, io.opened, 0);
  }

  private int decryptDirect() {
    return aead.decrypt(io.ciphertextBuffer.clear(), GcmBuffers.AAD, io.openedBuffer.clear());
  }

  static void checkCount(String what, int written, int expected) {
    if (written != expected) {
      throw new IllegalStateException(what + " reported " + written + " bytes written; expected " + expected);
    }
  }
}
