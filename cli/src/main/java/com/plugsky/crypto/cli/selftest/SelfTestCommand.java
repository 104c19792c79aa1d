package com.plugsky.crypto.cli.selftest;

import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.cli.ExitCodes;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.AeadRouting;
import com.plugsky.crypto.engine.EngineStatus;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.primitive.CryptoRandom;
import com.plugsky.crypto.tls.policy.BoringSsl;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What a deployment can rely on, checked on this machine. Each check is one method that prints its
 * section and returns an exit code; a new backend (BoringSSL for TLS, an HSM) adds one method to
 * {@link #call()}.
 */
@Command(
    name = "selftest",
    mixinStandardHelpOptions = true,
    description = {
      "Lists every AES-256-GCM engine found and runs its known-answer test, names what each runs"
          + " on (JCA provider version, libcrypto build), shows which engine serves each message"
          + " size and buffer kind, round-trips a message on each, and reports the FIPS-approved"
          + " engines."
    },
    footerHeading = "%n",
    footer = {
      "Examples:",
      "  plugsky-crypto selftest",
      "  plugsky-crypto selftest --require native,bc-fips",
      "  JAVA_OPTS='-Dorg.bouncycastle.fips.approved_only=true' plugsky-crypto selftest --fips",
      "",
      "Exit codes: 0 ok, 1 an engine failed its known-answer test or a round trip failed, 2 usage,"
          + " 3 an engine named by --require (or, with --fips, any FIPS-approved engine) is"
          + " unavailable."
    })
public final class SelfTestCommand implements Callable<Integer> {
  private static final String BORINGSSL = "boringssl";

  private final Supplier<List<EngineStatus>> engineStatuses;

  @Spec CommandSpec spec;

  @Option(
      names = "--require",
      split = ",",
      paramLabel = "ENGINE",
      description =
          "Engines that must be available (comma-separated): jdk, native, bc-fips, accp, conscrypt;"
              + " boringssl for the TLS provider.")
  List<String> required = new ArrayList<>();

  @Option(names = "--fips", description = "Require a FIPS-approved engine.")
  boolean fips;

  public SelfTestCommand() {
    this(Engines::status);
  }

  /** Reports {@code engineStatuses} as the engines found, for a test to show a broken engine. */
  SelfTestCommand(Supplier<List<EngineStatus>> engineStatuses) {
    this.engineStatuses = engineStatuses;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    out.println("Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")");
    int exit = ExitCodes.OK;
    exit = worst(exit, engines(out, err));
    exit = worst(exit, roundTrips(out));
    exit = worst(exit, tls(out, err));
    exit = worst(exit, requiredEngines(err));
    exit = worst(exit, fipsStatus(out, err));
    out.println(exit == ExitCodes.OK ? "selftest: PASS" : "selftest: FAIL");
    out.flush();
    return exit;
  }

  /**
   * Fails when an engine failed its known-answer test: it loaded but computes wrongly, unlike an
   * engine whose jar or native library is missing, which is only reported.
   */
  private int engines(PrintWriter out, PrintWriter err) {
    int exit = ExitCodes.OK;
    out.println("Engines (known-answer test before first use):");
    for (EngineStatus status : engineStatuses.get()) {
      out.println("  " + status.describe());
      if (status.failedSelfTest()) {
        // The cause says "engine '<name>' failed its self-test: <check>".
        err.println(
            "plugsky-crypto selftest: " + status.unavailabilityCause().orElseThrow().getMessage());
        exit = ExitCodes.FAILURE;
      }
    }
    // Each engine names what it runs on: the JCA provider and version, or the libcrypto build.
    out.println("Implementations:");
    Engines.available().forEach(engine -> out.println("  " + engine));
    out.println("Default routing:");
    AeadRouting.measured().describe().forEach(rule -> out.println("  " + rule));
    out.println("Nonces, message ids and data keys: " + CryptoRandom.poolSource());
    return exit;
  }

  private static int roundTrips(PrintWriter out) {
    int exit = ExitCodes.OK;
    out.println("Round trips (64 B, 1 MiB):");
    for (AeadEngine engine : Engines.available()) {
      String result = roundTrip(engine);
      out.println("  " + engine.name() + ": " + result);
      if (!result.equals("ok")) {
        exit = ExitCodes.FAILURE;
      }
    }
    return exit;
  }

  private int requiredEngines(PrintWriter err) {
    int exit = ExitCodes.OK;
    for (String name : required) {
      if (name.strip().equals(BORINGSSL)) {
        continue;
      }
      boolean available =
          Engines.available().stream().anyMatch(engine -> engine.name().equals(name.strip()));
      if (!available) {
        err.println("plugsky-crypto selftest: required engine '" + name.strip() + "' is unavailable");
        exit = ExitCodes.UNAVAILABLE;
      }
    }
    return exit;
  }

  private int tls(PrintWriter out, PrintWriter err) {
    if (BoringSsl.isAvailable()) {
      out.println("TLS 1.3 provider: " + BoringSsl.version().orElse("BoringSSL"));
      return ExitCodes.OK;
    }
    out.println(
        "TLS 1.3 provider: JDK (BoringSSL unavailable: "
            + BoringSsl.unavailabilityCause().map(Throwable::getMessage).orElse("unknown reason")
            + ")");
    if (required.stream().anyMatch(name -> name.strip().equals(BORINGSSL))) {
      err.println("plugsky-crypto selftest: required TLS provider 'boringssl' is unavailable");
      return ExitCodes.UNAVAILABLE;
    }
    return ExitCodes.OK;
  }

  private int fipsStatus(PrintWriter out, PrintWriter err) {
    out.println(
        "FIPS-approved engines: "
            + (Engines.fips().isEmpty()
                ? "none (start with -Dorg.bouncycastle.fips.approved_only=true for bc-fips)"
                : String.join(", ", Engines.fips().stream().map(AeadEngine::name).toList())));
    if (fips && Engines.fips().isEmpty()) {
      err.println("plugsky-crypto selftest: --fips given but no FIPS-approved engine is available");
      return ExitCodes.UNAVAILABLE;
    }
    return ExitCodes.OK;
  }

  /** The more serious of two exit codes: unavailable over failure over ok. */
  private static int worst(int a, int b) {
    return Math.max(a, b);
  }

  private static String roundTrip(AeadEngine engine) {
    try (Aead aead = engine.newAead(CryptoRandom.bytes(Aead.KEY_LENGTH))) {
      for (int size : new int[] {64, 1 << 20}) {
        byte[] plaintext = CryptoRandom.bytes(size);
        byte[] aad = {1, 2, 3};
        if (!Arrays.equals(aead.decrypt(aead.encrypt(plaintext, aad), aad), plaintext)) {
          return "FAILED: decrypt did not return the plaintext at " + size + " B";
        }
      }
      return "ok";
    } catch (CryptoException | IllegalStateException e) {
      return "FAILED: " + e.getMessage();
    }
  }
}
