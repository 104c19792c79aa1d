package com.plugsky.crypto.bench.pkcs11;

import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig;
import java.lang.foreign.MemorySegment;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The C floor's loop inside a JVM against the ffm backend, one thread: with {@code caller=c} each
 * operation is one downcall into the floor built as a library ({@link FloorLibrary}), which makes
 * exactly the C floor's PKCS#11 calls on a session of its own, with the keys the ffm backend
 * generated in the same token. {@link InTurnFloor} runs the two in turn instead. The two rows differ only by the backend's Java path, where
 * the C floor process and a JMH fork differ by everything a JVM process brings as well.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class InJvmFloorBenchmark {
  /** The floor's operation names (jmh/src/main/c/pkcs11-floor.c). */
  @Param({"aes-gcm", "wrap-pad", "unwrap-pad", "ecdsa-p256"})
  public String operation;

  /** ffm: the backend; c: the floor's calls through one downcall per operation. */
  @Param({"ffm", "c"})
  public String caller;

  private Hsm hsm;
  private TrialKeys keys;
  private byte[] wrapped;
  private FloorLibrary floor;
  private MemorySegment floorOperation;

  @Setup(Level.Trial)
  public void setUp() throws Throwable {
    hsm = Hsm.open(SoftHsmToken.config(HsmConfig.Backend.FFM, 1));
    keys = TrialKeys.generate(hsm);
    wrapped = keys.wrapSecret(hsm);
    if (caller.equals("c")) {
      floor = FloorLibrary.attach(keys.aes().label().orElseThrow(), keys.ec().label().orElseThrow());
      floorOperation = FloorLibrary.operation(operation);
    } else if (!caller.equals("ffm")) {
      throw new IllegalArgumentException("caller is ffm or c, not " + caller);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    hsm.close();
  }

  @Benchmark
  public Object call() throws Throwable {
    if (floor != null) {
      floor.run(floorOperation, 1L);
      return null;
    }
    return keys.runOnBackend(hsm, operation, wrapped);
  }
}
