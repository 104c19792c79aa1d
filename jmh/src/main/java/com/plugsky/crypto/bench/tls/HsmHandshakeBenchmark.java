package com.plugsky.crypto.bench.tls;

import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.KeyPairType;
import com.plugsky.crypto.pkcs11.PinSource;
import com.plugsky.crypto.pkcs11.SignatureAlgorithm;
import com.plugsky.crypto.tls.hsm.HsmServerKey;
import com.plugsky.crypto.tls.keys.CertifiedKey;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
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
 * Full handshakes on BoringSSL with the server's P-256 key in a file against the same key type
 * held in SoftHSM2, signing through the pkcs11 module (target: at least 0.8x the file key). The
 * HSM trial makes its own token in a temporary directory. Two more values of {@code key}, not run
 * by default, take the HSM signature apart from the handshake: {@code hsm-sign} is the bare
 * signature of a CertificateVerify-sized input, and {@code file-ec-p256+hsm-sign} a file-key
 * handshake followed by that signature, so the two rows' sum against the second shows what
 * running one between the other costs each (run them with {@code -p
 * key=file-ec-p256,hsm-sign,file-ec-p256+hsm-sign,hsm-ec-p256}). Forks pre-touch their heap, as
 * the pkcs11 family's do: without it the first write to each fresh page of the 1 GiB heap faults
 * during the measurement, and the HSM rows' error bars spanned their whole value.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class HsmHandshakeBenchmark {
  private static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
  private static final String PIN = "bench-pin-1234";

  /** What BoringSSL hands the key for a TLS 1.3 CertificateVerify: 64 spaces, context, hash. */
  private static final byte[] CERTIFICATE_VERIFY_INPUT = new byte[130];

  @Param({"boringssl"})
  public String engine;

  @Param({"file-ec-p256", "hsm-ec-p256"})
  public String key;

  private TlsContextPair pair;
  private Hsm hsm;
  private HsmKey signingKey;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    BenchCertificates certificates = new BenchCertificates();
    switch (key) {
      case "file-ec-p256" -> pair = fileKeyPair(certificates);
      case "hsm-ec-p256" -> {
        HsmKey hsmKey = hsmKey();
        pair = TlsContextPair.policy(engine, HsmServerKey.of(hsm, hsmKey, certificates.serverChain(hsm.publicKey(hsmKey))), certificates.ca());
      }
      case "hsm-sign" -> signingKey = hsmKey();
      case "file-ec-p256+hsm-sign" -> {
        pair = fileKeyPair(certificates);
        signingKey = hsmKey();
      }
      default -> throw new IllegalArgumentException("unknown key " + key);
    }
  }

  private TlsContextPair fileKeyPair(BenchCertificates certificates) throws Exception {
    KeyPair keys = BenchCertificates.keyPair("ec-p256");
    return TlsContextPair.policy(engine, CertifiedKey.of(keys.getPrivate(), certificates.serverChain(keys.getPublic())), certificates.ca());
  }

  private HsmKey hsmKey() throws Exception {
    hsm = Hsm.open(HsmConfig.builder(MODULE).tokenLabel(softHsmToken()).pinSource(PinSource.of(PIN.toCharArray())).build());
    HsmKey hsmKey = HsmKey.label("bench-tls-" + UUID.randomUUID());
    hsm.generateKeyPair(hsmKey, KeyPairType.EC_P256);
    return hsmKey;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (hsm != null) {
      hsm.close();
    }
  }

  @Benchmark
  public void fullHandshake() throws SSLException {
    if (pair != null) {
      pair.fullHandshake();
    }
    if (signingKey != null) {
      hsm.sign(signingKey, SignatureAlgorithm.ECDSA_SHA256, CERTIFICATE_VERIFY_INPUT);
    }
  }

  /**
   * A token of this JVM's own: configuration and token directory in a temporary directory (deleted
   * at exit), initialised with softhsm2-util, and SOFTHSM2_CONF set in the process's C environment
   * before the module loads (SoftHSM2 reads it when initialised), so a fork needs nothing from
   * outside.
   */
  private static String softHsmToken() throws IOException, InterruptedException {
    if (!Files.isRegularFile(MODULE)) {
      throw new IllegalStateException("SoftHSM2 is not installed (" + MODULE + "): apt-get install softhsm2");
    }
    Path root = Files.createTempDirectory("plugsky-bench-tls-softhsm");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(root)));
    Path tokens = Files.createDirectory(root.resolve("tokens"));
    Path conf = root.resolve("softhsm2.conf");
    Files.writeString(
        conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n", StandardCharsets.UTF_8);
    String label = "bench-tls";
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", "bench-so-5678", "--pin", PIN))
            .redirectErrorStream(true);
    builder.environment().put("SOFTHSM2_CONF", conf.toString());
    Process init = builder.start();
    String output = new String(init.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!init.waitFor(60, TimeUnit.SECONDS) || init.exitValue() != 0) {
      throw new IllegalStateException("softhsm2-util --init-token failed: " + output.strip());
    }
    setenv("SOFTHSM2_CONF", conf.toString());
    return label;
  }

  /** setenv(3): the C environment, which the module reads, not Java's copy of it. */
  private static void setenv(String name, String value) {
    Linker linker = Linker.nativeLinker();
    MethodHandle setenv =
        linker.downcallHandle(
            linker.defaultLookup().find("setenv").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    try (Arena arena = Arena.ofConfined()) {
      int rv = (int) setenv.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 1);
      if (rv != 0) {
        throw new IllegalStateException("setenv(" + name + ") failed");
      }
    } catch (Throwable e) {
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }

  private static void deleteQuietly(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // The temporary directory stays behind; nothing depends on it.
    }
  }
}
