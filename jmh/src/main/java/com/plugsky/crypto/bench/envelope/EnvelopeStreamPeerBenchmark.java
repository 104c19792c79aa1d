package com.plugsky.crypto.bench.envelope;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import com.amazonaws.encryptionsdk.CryptoAlgorithm;
import com.amazonaws.encryptionsdk.jce.JceMasterKey;
import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.bench.envelope.GibStreams.CountingSink;
import com.plugsky.crypto.bench.envelope.GibStreams.MessageBuffer;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.SecretKeySpec;
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
 * The peers of the 1 GiB stream rows. {@code raw-bulk}: the default Aead sealing and opening the
 * GiB as 1,024 messages of 1 MiB, the fastest AES-GCM this machine does, which no framed stream can
 * beat. It moves its bytes as the envelope streams do: it seals the cached 1 MiB block into a
 * counting sink, and opens a GiB of ciphertext read from the same kind of in-memory stream the
 * decrypting stream reads (before, it opened one cached message 1,024 times, sparing itself the
 * memory traffic of reading a GiB that the stream pays). {@code esdk-stream}: the AWS Encryption
 * SDK 2.4.1's CryptoOutputStream and CryptoInputStream with 64 KiB frames, raw AES JceMasterKey,
 * committing non-signing suite.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms4g", "-Xmx4g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class EnvelopeStreamPeerBenchmark {
  @Param({"raw-bulk", "esdk-stream"})
  public String peer;

  @Param({"1073741824"})
  public int size;

  private byte[] block;
  private Aead aead;
  private byte[] aad;
  private byte[] sealedBlock;
  private byte[] openedBlock;
  private MessageBuffer rawMessage;
  private AwsCrypto esdk;
  private JceMasterKey esdkKek;
  private Map<String, String> esdkContext;
  private MessageBuffer esdkMessage;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    if (size != GibStreams.SIZE) {
      throw new IllegalArgumentException("this benchmark streams exactly 1 GiB");
    }
    block = CryptoRandom.bytes(GibStreams.BLOCK);
    switch (peer) {
      case "raw-bulk" -> {
        aead = Engines.newAead(CryptoRandom.bytes(Aead.KEY_LENGTH));
        aad = Sealers.CONTEXT.encoded();
        sealedBlock = new byte[GibStreams.BLOCK + Aead.OVERHEAD];
        openedBlock = new byte[GibStreams.BLOCK];
        rawMessage = new MessageBuffer();
        for (int i = 0; i < GibStreams.BLOCKS; i++) {
          aead.encrypt(block, 0, block.length, aad, sealedBlock, 0);
          rawMessage.write(sealedBlock);
        }
        GibStreams.requireGib(decrypt(), peer);
      }
      case "esdk-stream" -> {
        esdk = AwsCrypto.builder()
            .withCommitmentPolicy(CommitmentPolicy.RequireEncryptRequireDecrypt)
            .withEncryptionAlgorithm(CryptoAlgorithm.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY)
            .withEncryptionFrameSize(GibStreams.FRAME)
            .build();
        esdkKek = JceMasterKey.getInstance(
            new SecretKeySpec(CryptoRandom.bytes(32), "AES"), "bench", "local-kek", "AES/GCM/NoPadding");
        esdkContext = Sealers.CONTEXT.asMap();
        esdkMessage = new MessageBuffer();
        GibStreams.writeGib(block, esdk.createEncryptingStream(esdkKek, esdkMessage, esdkContext));
        GibStreams.requireGib(decrypt(), peer);
      }
      default -> throw new IllegalArgumentException("unknown peer '" + peer + "'");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (aead != null) {
      aead.close();
    }
  }

  @Benchmark
  public long encrypt() throws IOException {
    CountingSink sink = new CountingSink();
    if (aead != null) {
      for (int i = 0; i < GibStreams.BLOCKS; i++) {
        int sealed = aead.encrypt(block, 0, block.length, aad, sealedBlock, 0);
        sink.write(sealedBlock, 0, sealed);
      }
      return sink.count();
    }
    GibStreams.writeGib(block, esdk.createEncryptingStream(esdkKek, sink, esdkContext));
    return sink.count();
  }

  @Benchmark
  public long decrypt() throws IOException {
    if (aead != null) {
      long total = 0;
      try (InputStream in = rawMessage.reader()) {
        while (in.readNBytes(sealedBlock, 0, sealedBlock.length) == sealedBlock.length) {
          total += aead.decrypt(sealedBlock, 0, sealedBlock.length, aad, openedBlock, 0);
        }
      }
      return total;
    }
    return GibStreams.drain(esdk.createDecryptingStream(esdkKek, esdkMessage.reader()));
  }
}
