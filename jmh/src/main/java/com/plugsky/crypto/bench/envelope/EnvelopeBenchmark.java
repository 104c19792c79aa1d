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
public class EnvelopeBenchmark extends SealerBenchmark {
  @Param({"envelope", "envelope-cached"})
  public String engine;

  @Override
  String implementation() {
    return engine;
  }
}
