package com.plugsky.crypto.bench.envelope;

import com.plugsky.crypto.bench.envelope.GibStreams.CountingSink;
import com.plugsky.crypto.bench.envelope.GibStreams.MessageBuffer;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.local.LocalKeyWrapper;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.IOException;
import java.nio.file.Path;
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
 * Our side of the 1 GiB stream rows: one operation streams a whole GiB through {@link
 * Envelope#encryptingStream} (64 KiB frames, local KEK) or reads one back through {@link
 * Envelope#decryptingStream}. {@link EnvelopeStreamPeerBenchmark} measures the ceiling (raw bulk
 * AES-GCM) and the AWS Encryption SDK's streams in the same table.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms4g", "-Xmx4g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class EnvelopeStreamBenchmark {
  @Param({"envelope-stream"})
  public String engine;

  @Param({"1073741824"})
  public int size;

  private Path keyDirectory;
  private Envelope envelope;
  private byte[] block;
  private MessageBuffer message;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    if (size != GibStreams.SIZE) {
      throw new IllegalArgumentException("this benchmark streams exactly 1 GiB");
    }
    keyDirectory = KeyDirectories.create();
    envelope = Envelope.builder()
        .kek(KeyRef.parse("local:bench"))
        .keyWrapper(LocalKeyWrapper.builder().keyDirectory(keyDirectory).build())
        .build();
    block = CryptoRandom.bytes(GibStreams.BLOCK);
    message = new MessageBuffer();
    GibStreams.writeGib(block, envelope.encryptingStream(message, Sealers.CONTEXT));
    GibStreams.requireGib(GibStreams.drain(envelope.decryptingStream(message.reader(), Sealers.CONTEXT)), engine);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    KeyDirectories.delete(keyDirectory);
  }

  @Benchmark
  public long encrypt() throws IOException {
    CountingSink sink = new CountingSink();
    GibStreams.writeGib(block, envelope.encryptingStream(sink, Sealers.CONTEXT));
    return sink.count();
  }

  @Benchmark
  public long decrypt() throws IOException {
    return GibStreams.drain(envelope.decryptingStream(message.reader(), Sealers.CONTEXT));
  }
}
