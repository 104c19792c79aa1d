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
 * The other side of the envelope family, same messages and context as {@link EnvelopeBenchmark}:
 * {@code raw-aead}, the default {@link com.plugsky.crypto.aead.Aead} with one fixed key (no
 * envelope: the baseline of the ratios); {@code raw-aead-new-key}, the same with a new key per
 * message (the floor under a key per message, which the format mandates); {@code tink}, Tink's KmsEnvelopeAead over a local AES-GCM
 * KEK (context as AAD); {@code esdk} and {@code esdk-cached}, the AWS Encryption SDK 2.4.1 with a
 * raw AES JceMasterKey on its committing non-signing suite (ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY),
 * without and with its caching materials manager (context in its header, as ours).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class EnvelopePeerBenchmark {
  @Param({"raw-aead", "raw-aead-new-key", "tink", "esdk", "esdk-cached"})
  public String peer;

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
    sealer = Sealers.named(peer, keyDirectory);
    for (int i = 0; i < messages.length; i++) {
      messages[i] = sealer.seal(plaintext);
    }
    for (byte[] message : messages) {
      if (!Arrays.equals(sealer.open(message), plaintext)) {
        throw new IllegalStateException(peer + " did not round-trip");
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
