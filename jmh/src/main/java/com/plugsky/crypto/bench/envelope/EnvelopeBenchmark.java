package com.plugsky.crypto.bench.envelope;

import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.KmsEnvelopeAead;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.envelope.DataKeyCache;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.local.LocalKeyWrapper;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
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
 * One message per operation through envelope encryption with a local key-encryption key: our
 * {@link Envelope} with the data-key cache off (a fresh data key and a local wrap per message) and
 * on, against the raw default {@link Aead} (no envelope at all) and Tink's KmsEnvelopeAead over a
 * local AES-GCM KEK. Same two-pair encryption context for all (Tink gets its encoding as AAD).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class EnvelopeBenchmark {
  private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme", "purpose", "orders");

  /** {@code envelope}: cache off; {@code envelope-cached}: cache on; {@code raw-aead}: no envelope; {@code tink}: KmsEnvelopeAead. */
  @Param({"envelope", "envelope-cached", "raw-aead", "tink"})
  public String implementation;

  @Param({"1024", "16384", "1048576"})
  public int size;

  private Path keyDirectory;
  private Sealer sealer;
  private byte[] plaintext;
  private byte[] message;

  /** One implementation's encrypt and decrypt of whole messages. */
  private interface Sealer extends AutoCloseable {
    byte[] seal(byte[] plaintext) throws GeneralSecurityException;

    byte[] open(byte[] message) throws GeneralSecurityException;

    @Override
    default void close() {}
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException, GeneralSecurityException {
    keyDirectory = Files.createTempDirectory("plugsky-bench-keys");
    plaintext = CryptoRandom.bytes(size);
    sealer = switch (implementation) {
      case "envelope" -> envelope(null);
      case "envelope-cached" -> envelope(DataKeyCache.builder()
          .maxEntries(16).maxAge(Duration.ofMinutes(10)).maxMessagesPerKey(1L << 32).maxBytesPerKey(1L << 50).build());
      case "raw-aead" -> rawAead();
      case "tink" -> tink();
      default -> throw new IllegalArgumentException("unknown implementation '" + implementation + "'");
    };
    message = sealer.seal(plaintext);
    if (!Arrays.equals(sealer.open(message), plaintext)) {
      throw new IllegalStateException(implementation + " did not round-trip");
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

  @Benchmark
  public byte[] decrypt() throws GeneralSecurityException {
    return sealer.open(message);
  }

  private Sealer envelope(DataKeyCache cache) {
    Envelope.Builder builder = Envelope.builder()
        .kek(KeyRef.parse("local:bench"))
        .keyWrapper(LocalKeyWrapper.builder().keyDirectory(keyDirectory).build());
    if (cache != null) {
      builder.dataKeyCache(cache);
    }
    Envelope envelope = builder.build();
    return new Sealer() {
      @Override
      public byte[] seal(byte[] data) {
        return envelope.encrypt(data, CONTEXT);
      }

      @Override
      public byte[] open(byte[] sealed) {
        return envelope.decrypt(sealed, CONTEXT);
      }
    };
  }

  private static Sealer rawAead() {
    Aead aead = Engines.newAead(CryptoRandom.bytes(Aead.KEY_LENGTH));
    byte[] aad = CONTEXT.encoded();
    return new Sealer() {
      @Override
      public byte[] seal(byte[] data) {
        return aead.encrypt(data, aad);
      }

      @Override
      public byte[] open(byte[] sealed) {
        return aead.decrypt(sealed, aad);
      }

      @Override
      public void close() {
        aead.close();
      }
    };
  }

  private static Sealer tink() throws GeneralSecurityException {
    AeadConfig.register();
    com.google.crypto.tink.Aead kek = new AesGcmJce(CryptoRandom.bytes(32));
    com.google.crypto.tink.Aead envelope = KmsEnvelopeAead.create(PredefinedAeadParameters.AES256_GCM, kek);
    byte[] aad = CONTEXT.encoded();
    return new Sealer() {
      @Override
      public byte[] seal(byte[] data) throws GeneralSecurityException {
        return envelope.encrypt(data, aad);
      }

      @Override
      public byte[] open(byte[] sealed) throws GeneralSecurityException {
        return envelope.decrypt(sealed, aad);
      }
    };
  }
}
