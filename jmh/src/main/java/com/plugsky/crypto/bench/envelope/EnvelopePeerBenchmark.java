package com.plugsky.crypto.bench.envelope;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
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
public class EnvelopePeerBenchmark extends SealerBenchmark {
  @Param({"raw-aead", "raw-aead-new-key", "tink", "esdk", "esdk-cached"})
  public String peer;

  @Override
  String implementation() {
    return peer;
  }
}
