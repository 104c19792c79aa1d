package com.plugsky.crypto.bench.tls;

import com.plugsky.crypto.primitive.CryptoRandom;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
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
 * Bulk data over an established TLS 1.3 connection in memory: 16 KiB sealed by the client and
 * opened by the server per operation (one record on BoringSSL, two on the JDK; AES-128-GCM, the
 * suite both providers pick).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class BulkBenchmarks {
  @Param({"16384"})
  public int size;

  private TlsContextPair pair;
  private SSLEngine[] engines;
  private ByteBuffer plaintext;

  abstract TlsContextPair contexts() throws Exception;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    pair = contexts();
    engines = pair.connected();
    plaintext = ByteBuffer.allocateDirect(size).put(CryptoRandom.bytes(size)).flip();
    if (pair.memory().transfer(engines[0], engines[1], plaintext) != size) {
      throw new IllegalStateException("a " + size + "-byte record did not arrive whole");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    ReferenceCountUtil.release(engines[0]);
    ReferenceCountUtil.release(engines[1]);
  }

  @Benchmark
  public int wrapUnwrap() throws SSLException {
    plaintext.rewind();
    return pair.memory().transfer(engines[0], engines[1], plaintext);
  }
}
