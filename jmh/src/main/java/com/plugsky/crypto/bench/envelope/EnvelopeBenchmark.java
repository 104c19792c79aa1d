package com.plugsky.crypto.bench.envelope;

import com.plugsky.crypto.bench.envelope.Sealers.Sealer;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * Our side of the envelope family: one message per operation through {@link
 * com.plugsky.crypto.envelope.Envelope} with a local key-encryption key, the data-key cache off
 * ({@code envelope}: a fresh data key and a local wrap per message) and on ({@code
 * envelope-cached}). The param is called {@code engine} so that the report puts these columns next
 * to {@link EnvelopePeerBenchmark}'s in one table; its "ours / best peer" column is then our
 * fastest against the fastest peer, which is {@code raw-aead} (no envelope at all), i.e. the ratio
 * to the raw AES-GCM engine.
 *
 * <p>Not in the default list: {@code envelope-cached-<engine>} (native, conscrypt, accp, jdk) runs the
 * cached path with that engine for the frames, each under the message's own new key, e.g. {@code -p
 * engine=envelope-cached,envelope-cached-native}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class EnvelopeBenchmark {
  @Param({"envelope", "envelope-cached"})
  public String engine;

  @Param({"1024", "16384", "1048576"})
  public int size;

  private Path keyDirectory;
  private Sealer sealer;
  private byte[] plaintext;
  private final byte[][] messages = new byte[Sealers.MESSAGES_TO_OPEN][];
  private int nextMessage;

  @Setup(Level.Trial)
  public void setUp() throws IOException, GeneralSecurityException {
    keyDirectory = Files.createTempDirectory("plugsky-bench-keys");
    plaintext = CryptoRandom.bytes(size);
    sealer = Sealers.named(engine, keyDirectory);
    for (int i = 0; i < messages.length; i++) {
      messages[i] = sealer.seal(plaintext);
    }
    for (byte[] message : messages) {
      if (!Arrays.equals(sealer.open(message), plaintext)) {
        throw new IllegalStateException(engine + " did not round-trip");
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    sealer.close();
    try (Stream<Path> files = Files.walk(keyDirectory)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  @Benchmark
  public byte[] encrypt() throws GeneralSecurityException {
    return sealer.seal(plaintext);
  }

  /** Opens the next of {@link Sealers#MESSAGES_TO_OPEN} messages, in the order they were sealed. */
  @Benchmark
  public byte[] decrypt() throws GeneralSecurityException {
    return sealer.open(messages[nextMessage++ & (messages.length - 1)]);
  }
}
