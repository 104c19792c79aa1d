package com.plugsky.crypto.cli;

import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.AeadRouting;
import com.plugsky.crypto.engine.EngineStatus;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code plugsky-crypto selftest}: what a deployment can rely on, checked on this machine. */
final class SelfTest {
  static final int CRYPTO_FAILURE = 1;
  static final int UNAVAILABLE = 3;

  private SelfTest() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> required = new ArrayList<>();
    boolean fips = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--require" -> {
          if (i + 1 == args.length) {
            err.println("plugsky-crypto selftest: --require needs a comma-separated list of engine names");
            return PlugskyCrypto.USAGE;
          }
          required.addAll(Arrays.asList(args[++i].split(",")));
        }
        case "--fips" -> fips = true;
        default -> {
          err.println("plugsky-crypto selftest: unknown option '" + args[i] + "'; try --help");
          return PlugskyCrypto.USAGE;
        }
      }
    }

    out.println("Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")");
    out.println("Engines (known-answer test before first use):");
    for (EngineStatus status : Engines.status()) {
      out.println("  " + status.describe());
    }
    out.println("Default routing:");
    AeadRouting.measured().describe().forEach(rule -> out.println("  " + rule));

    int exit = PlugskyCrypto.OK;
    out.println("Round trips (64 B, 1 MiB):");
    for (AeadEngine engine : Engines.available()) {
      String result = roundTrip(engine);
      out.println("  " + engine.name() + ": " + result);
      if (!result.equals("ok")) {
        exit = CRYPTO_FAILURE;
      }
    }

    for (String name : required) {
      boolean available = Engines.available().stream().anyMatch(engine -> engine.name().equals(name.strip()));
      if (!available) {
        err.println("plugsky-crypto selftest: required engine '" + name.strip() + "' is unavailable");
        exit = UNAVAILABLE;
      }
    }
    out.println("FIPS-approved engines: " + (Engines.fips().isEmpty() ? "none (start with -Dorg.bouncycastle.fips.approved_only=true for bc-fips)"
        : String.join(", ", Engines.fips().stream().map(AeadEngine::name).toList())));
    if (fips && Engines.fips().isEmpty()) {
      err.println("plugsky-crypto selftest: --fips given but no FIPS-approved engine is available");
      exit = UNAVAILABLE;
    }
    out.println(exit == PlugskyCrypto.OK ? "selftest: PASS" : "selftest: FAIL");
    return exit;
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
