package com.plugsky.crypto.bench.pkcs11;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.SignatureAlgorithm;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The C floor's loop inside a JVM against the ffm backend, one thread: with {@code caller=c} each
 * operation is one downcall into the floor built as a library (jmh/pkcs11-floor.sh builds
 * jmh/target/libpkcs11-floor.so; {@code -Dplugsky.bench.pkcs11FloorLibrary} names another path),
 * which makes exactly the C floor's PKCS#11 calls on a session of its own, with the keys the ffm
 * backend generated in the same token. The two rows differ only by the backend's Java path, where
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
  private static final byte[] IV = new byte[12];
  private static final byte[] NO_AAD = new byte[0];

  /** The floor's operation names (jmh/src/main/c/pkcs11-floor.c). */
  @Param({"aes-gcm", "wrap-pad", "unwrap-pad", "ecdsa-p256"})
  public String operation;

  /** ffm: the backend; c: the floor's calls through one downcall per operation. */
  @Param({"ffm", "c"})
  public String caller;

  private Hsm hsm;
  private HsmKey aesKey;
  private HsmKey ecKey;
  private byte[] plaintext;
  private byte[] secret;
  private byte[] wrapped;
  private byte[] data;
  private MethodHandle floorRun;
  private MemorySegment floorOperation;

  @Setup(Level.Trial)
  public void setUp() throws Throwable {
    hsm = Hsm.open(SoftHsmToken.config(HsmConfig.Backend.FFM, 1));
    TrialKeys keys = TrialKeys.generate(hsm);
    aesKey = keys.aes();
    ecKey = keys.ec();
    plaintext = keys.plaintext();
    secret = keys.secret();
    data = keys.data();
    wrapped = hsm.wrapKeyPad(aesKey, secret);
    if (caller.equals("c")) {
      attachFloor(aesKey.label().orElseThrow(), ecKey.label().orElseThrow());
    } else if (!caller.equals("ffm")) {
      throw new IllegalArgumentException("caller is ffm or c, not " + caller);
    }
  }

  private void attachFloor(String aesLabel, String ecLabel) throws Throwable {
    Path library = floorLibrary();
    if (!Files.isRegularFile(library)) {
      throw new IllegalStateException(library + " is missing: jmh/pkcs11-floor.sh builds it");
    }
    Linker linker = Linker.nativeLinker();
    Arena arena = Arena.global();
    SymbolLookup floor = SymbolLookup.libraryLookup(library, arena);
    MethodHandle attach =
        linker.downcallHandle(
            floor.find("pkcs11_floor_attach").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    int rv =
        (int)
            attach.invokeExact(
                arena.allocateFrom(SoftHsmToken.MODULE.toString()),
                arena.allocateFrom(SoftHsmToken.LABEL),
                arena.allocateFrom(aesLabel),
                arena.allocateFrom(ecLabel));
    if (rv != 0) {
      throw new IllegalStateException("pkcs11_floor_attach: " + SoftHsmToken.MODULE + " is not loaded");
    }
    floorRun =
        linker.downcallHandle(
            floor.find("pkcs11_floor_run").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG));
    floorOperation = arena.allocateFrom(operation);
  }

  /**
   * The property's path, else jmh/target/libpkcs11-floor.so of the checkout this class was loaded
   * from (cli/target/lib/jmh-*.jar or jmh/target/classes), else of the working directory.
   */
  private static Path floorLibrary() throws Exception {
    String property = System.getProperty("plugsky.bench.pkcs11FloorLibrary");
    if (property != null) {
      return Path.of(property).toAbsolutePath();
    }
    Path relative = Path.of("jmh", "target", "libpkcs11-floor.so");
    Path loadedFrom = Path.of(InJvmFloorBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    for (Path directory = loadedFrom; directory != null; directory = directory.getParent()) {
      if (Files.isRegularFile(directory.resolve(relative))) {
        return directory.resolve(relative);
      }
    }
    return relative.toAbsolutePath();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    hsm.close();
  }

  @Benchmark
  public Object call() throws Throwable {
    if (floorRun != null) {
      floorRun.invokeExact(floorOperation, 1L);
      return null;
    }
    return switch (operation) {
      case "aes-gcm" -> hsm.encryptAesGcm(aesKey, IV, plaintext, NO_AAD);
      case "wrap-pad" -> hsm.wrapKeyPad(aesKey, secret);
      case "unwrap-pad" -> hsm.unwrapKeyPad(aesKey, wrapped);
      case "ecdsa-p256" -> hsm.sign(ecKey, SignatureAlgorithm.ECDSA_SHA256, data);
      default -> throw new IllegalArgumentException("unknown operation " + operation);
    };
  }
}
