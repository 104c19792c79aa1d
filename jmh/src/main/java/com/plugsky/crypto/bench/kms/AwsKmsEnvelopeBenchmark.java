package com.plugsky.crypto.bench.kms;

import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.envelope.DataKeyCache;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.kms.aws.AwsKmsKeyWrapper;
import com.plugsky.crypto.kms.aws.moto.KmsCallCounter;
import com.plugsky.crypto.kms.aws.moto.MotoServer;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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

/**
 * Envelope encryption of one message per operation with the data key wrapped by AWS KMS, on a
 * moto_server the trial starts itself (kms-cloud's test fixture: {@code
 * -Dplugsky.test.moto-server=PATH}, else a pyenv Python's). {@code cache=off}: a fresh data key and
 * one KMS Encrypt per message; {@code cache=on}: a {@link DataKeyCache} reuses the data key and its
 * wrapping (5 minutes, 2^20 messages per key). Besides ops/s, the secondary result {@code
 * kmsCallsPer10kMessages} counts the KMS requests the SDK actually sent (an ExecutionInterceptor),
 * per 10,000 messages of the iteration; each trial also prints its totals.
 *
 * <p>moto answers in Python, so the cache-off numbers measure moto's latency on loopback more than
 * ours; against real KMS the round trip (a few ms in region) dominates even more. The call count is
 * what transfers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class AwsKmsEnvelopeBenchmark {
  private static final String REGION = "eu-west-1";
  private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme", "purpose", "orders");

  /** Data-key cache off (a KMS call per message) or on. */
  @Param({"off", "on"})
  public String cache;

  @Param({"1024"})
  public int size;

  private MotoServer moto;
  private AwsKmsKeyWrapper wrapper;
  private KmsCallCounter calls;
  private Envelope envelope;
  private byte[] plaintext;
  private long trialMessages;
  private long trialCallsBefore;

  /** KMS requests per 10,000 messages in the current iteration, as a JMH secondary result. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class KmsCalls {
    public double kmsCallsPer10kMessages;
    private long messages;
    private long callsBefore;

    @Setup(Level.Iteration)
    public void reset(AwsKmsEnvelopeBenchmark benchmark) {
      messages = 0;
      callsBefore = benchmark.calls.total();
      kmsCallsPer10kMessages = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    moto = MotoServer.start();
    KeyRef key = moto.createKey(REGION);
    calls = new KmsCallCounter();
    wrapper = AwsKmsKeyWrapper.builder()
        .endpoint(moto.endpoint())
        .region(REGION)
        .credentialsProvider(MotoServer.CREDENTIALS)
        .addInterceptor(calls)
        .build();
    Envelope.Builder builder = Envelope.builder().kek(key).keyWrapper(wrapper);
    switch (cache) {
      case "off" -> { }
      case "on" -> builder.dataKeyCache(DataKeyCache.builder()
          .maxAge(Duration.ofMinutes(5)).maxMessagesPerKey(1L << 20).maxBytesPerKey(1L << 40).build());
      default -> throw new IllegalArgumentException("cache must be off or on, got '" + cache + "'");
    }
    envelope = builder.build();
    plaintext = CryptoRandom.bytes(size);
    if (!Arrays.equals(envelope.decrypt(envelope.encrypt(plaintext, CONTEXT), CONTEXT), plaintext)) {
      throw new IllegalStateException("envelope over AWS KMS did not round-trip");
    }
    trialCallsBefore = calls.total();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    long kmsCalls = calls.total() - trialCallsBefore;
    System.out.printf(
        "%nkms: cache=%s size=%d: %,d messages, %,d KMS calls, %.1f KMS calls per 10,000 messages%n",
        cache, size, trialMessages, kmsCalls, trialMessages == 0 ? 0.0 : kmsCalls * 10_000.0 / trialMessages);
    wrapper.close();
    moto.close();
  }

  @Benchmark
  public byte[] encrypt(KmsCalls counters) {
    byte[] message = envelope.encrypt(plaintext, CONTEXT);
    counters.messages++;
    trialMessages++;
    counters.kmsCallsPer10kMessages = (calls.total() - counters.callsBefore) * 10_000.0 / counters.messages;
    return message;
  }
}
