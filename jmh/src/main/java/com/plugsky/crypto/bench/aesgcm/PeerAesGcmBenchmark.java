package com.plugsky.crypto.bench.aesgcm;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Other AES-256-GCM implementations doing the work of {@link EngineAesGcmBenchmark}, for
 * comparison: {@code sunjce} (raw JDK Cipher, the baseline), {@code accp} (Amazon Corretto Crypto
 * Provider, AWS-LC), {@code tink} (Google Tink's AesGcmJce) and {@code bc-fips-jca} (raw Bouncy
 * Castle FIPS Cipher). The gap between {@code sunjce} and our {@code jdk} engine, or {@code
 * bc-fips-jca} and our {@code bc-fips} engine, is what our Aead layer costs.
 *
 * <p>When ACCP cannot load on this machine, its trials fail at setup with the reason and the other
 * peers still run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class PeerAesGcmBenchmark {

  @Param({"sunjce", "accp", "conscrypt", "tink", "bc-fips-jca"})
  public String peer;

  @Param({"64", "1024", "16384", "1048576"})
  public int size;

  /** {@code array}: byte[] in and out; {@code direct}: direct ByteBuffers in and out. */
  @Param({"array", "direct"})
  public String buffer;

  private GcmBuffers io;
  private PeerAead aead;

  @Setup(Level.Trial)
  public void setUp() throws GeneralSecurityException {
    aead = Peers.create(peer, GcmBuffers.key());
    io = new GcmBuffers(size, buffer);
    String who = "peer " + peer;
    byte[] made = new byte[size + GcmBuffers.OVERHEAD];
    io.useCiphertext(who, aead.encrypt(io.plaintext.clone(), size, GcmBuffers.AAD, made));

    io.clearOutputs();
    if (io.direct) {
      EngineAesGcmBenchmark.checkCount(who + " encrypt", encryptDirect(), size + GcmBuffers.OVERHEAD);
      io.checkSealed(who, io.lastSealed());
      EngineAesGcmBenchmark.checkCount(who + " decrypt", decryptDirect(), size);
      io.checkOpened(who, io.lastOpened());
    } else {
      io.checkSealed(who, encryptArray());
      io.checkOpened(who, decryptArray());
    }
  }

  @Benchmark
  public void encrypt(Blackhole bh) throws GeneralSecurityException {
    if (io.direct) {
      bh.consume(encryptDirect());
    } else {
      bh.consume(encryptArray());
    }
  }

  @Benchmark
  public void decrypt(Blackhole bh) throws GeneralSecurityException {
    if (io.direct) {
      bh.consume(decryptDirect());
    } else {
      bh.consume(decryptArray());
    }
  }

  private byte[] encryptArray() throws GeneralSecurityException {
    return aead.encrypt(io.plaintext, size, GcmBuffers.AAD, io.sealed);
  }

  private int encryptDirect() throws GeneralSecurityException {
    return aead.encrypt(io.plaintextBuffer.clear(), GcmBuffers.AAD, io.sealedBuffer.clear());
  }

  private byte[] decryptArray() throws GeneralSecurityException {
    return aead.decrypt(io.ciphertext, io.ciphertext.length, GcmBuffers.AAD, io.opened);
  }

  private int decryptDirect() throws GeneralSecurityException {
    ByteBuffer in = io.ciphertextBuffer.clear();
    return aead.decrypt(in, GcmBuffers.AAD, io.openedBuffer.clear());
  }
}
