package com.plugsky.crypto.bench.tls;

import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.KeyPairType;
import com.plugsky.crypto.pkcs11.PinSource;
import com.plugsky.crypto.tls.hsm.HsmServerKey;
import com.plugsky.crypto.tls.keys.CertifiedKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
 * token lives under {@code $SOFTHSM2_CONF}'s directory, which {@code ./bench tls} points at
 * {@code jmh/target/softhsm2/}; each trial makes its own token.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class HsmHandshakeBenchmark {
  private static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
  private static final String PIN = "bench-pin-1234";

  @Param({"boringssl"})
  public String engine;

  @Param({"file-ec-p256", "hsm-ec-p256"})
  public String key;

  private TlsContextPair pair;
  private Hsm hsm;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    BenchCertificates certificates = new BenchCertificates();
    if (key.equals("file-ec-p256")) {
      KeyPair keys = BenchCertificates.keyPair("ec-p256");
      pair = TlsContextPair.policy(engine, CertifiedKey.of(keys.getPrivate(), certificates.serverChain(keys.getPublic())), certificates.ca());
    } else {
      hsm = Hsm.open(HsmConfig.builder(MODULE).tokenLabel(softHsmToken()).pinSource(PinSource.of(PIN.toCharArray())).build());
      HsmKey hsmKey = HsmKey.label("bench-tls-" + UUID.randomUUID());
      hsm.generateKeyPair(hsmKey, KeyPairType.EC_P256);
      pair = TlsContextPair.policy(engine, HsmServerKey.of(hsm, hsmKey, certificates.serverChain(hsm.publicKey(hsmKey))), certificates.ca());
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (hsm != null) {
      hsm.close();
    }
  }

  @Benchmark
  public void fullHandshake() throws SSLException {
    pair.fullHandshake();
  }

  /** Writes the SoftHSM2 configuration (before the module loads) and makes a fresh token. */
  private static String softHsmToken() throws IOException, InterruptedException {
    String conf = System.getenv("SOFTHSM2_CONF");
    if (conf == null) {
      throw new IllegalStateException("SOFTHSM2_CONF is not set: run through ./bench tls, which points it under jmh/target/");
    }
    Path confFile = Path.of(conf).toAbsolutePath();
    Path tokens = confFile.getParent().resolve("tokens");
    Files.createDirectories(tokens);
    Files.writeString(
        confFile,
        "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
        StandardCharsets.UTF_8);
    String label = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    Process init =
        new ProcessBuilder(
                List.of("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", "bench-so-5678", "--pin", PIN))
            .redirectErrorStream(true)
            .start();
    String output = new String(init.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!init.waitFor(60, TimeUnit.SECONDS) || init.exitValue() != 0) {
      throw new IllegalStateException("softhsm2-util --init-token failed: " + output.strip());
    }
    return label;
  }
}
