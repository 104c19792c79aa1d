package com.plugsky.crypto.cli.hsm;

import com.plugsky.crypto.cli.ExitCodes;
import com.plugsky.crypto.cli.UserError;
import com.plugsky.crypto.cli.terminal.Progress;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.PinSource;
import com.plugsky.crypto.pkcs11.check.HsmCheck;
import com.plugsky.crypto.pkcs11.check.HsmCheckReport;
import com.plugsky.crypto.pkcs11.check.ProgressListener;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "hsm-check",
    mixinStandardHelpOptions = true,
    description = {
      "Validates a PKCS#11 module and token: login, random, AES-GCM and key-wrap known answers,"
          + " ECDSA/RSA signatures checked by the JDK, HMAC, typed errors on bad input and"
          + " concurrent sessions, with the speed of each operation.",
      "Keys it creates are destroyed at the end. The PIN comes from --pin-source, else"
          + " $PLUGSKY_PKCS11_PIN, else a prompt; never from the command line."
    },
    footerHeading = "%n",
    footer = {
      "Examples:",
      "  plugsky-crypto hsm-check --module /usr/lib/softhsm/libsofthsm2.so --token dev --pin-source"
          + " env:HSM_PIN",
      "  plugsky-crypto hsm-check --module /opt/hsm/libpkcs11.so --slot 0 --json report.json --html"
          + " report.html",
      "",
      "Exit codes: 0 every check passed, 1 a check failed, 2 usage, 3 the module or token is"
          + " unusable (the module does not load, the token is not found, or the login is refused)."
    })
public final class HsmCheckCommand implements Callable<Integer> {
  static final String PIN_VARIABLE = "PLUGSKY_PKCS11_PIN";

  @Spec CommandSpec spec;

  @Option(
      names = "--module",
      required = true,
      paramLabel = "PATH",
      description = "The PKCS#11 library (.so).")
  Path module;

  @Option(
      names = "--token",
      paramLabel = "LABEL",
      description = "The token's label (or give --slot).")
  String token;

  @Option(names = "--slot", paramLabel = "ID", description = "The slot id, when no label is given.")
  Long slot;

  @Option(
      names = "--pin-source",
      paramLabel = "SOURCE",
      description = "env:NAME or file:/path holding the user PIN.")
  String pinSource;

  @Option(
      names = "--backend",
      paramLabel = "NAME",
      defaultValue = "ffm",
      description = "ffm (default), sunpkcs11 or iaik.")
  String backend;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "Also write the report as JSON (- for standard output).")
  String jsonFile;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description = "Also write the report as an HTML page.")
  Path htmlFile;

  @Override
  public Integer call() throws IOException {
    if (token == null && slot == null) {
      throw new UserError("name the token with --token LABEL or --slot ID");
    }
    if (!Files.isRegularFile(module)) {
      throw new UserError("no PKCS#11 module at " + module);
    }
    HsmConfig.Builder config =
        HsmConfig.builder(module).backend(backendNamed(backend)).pinSource(pin());
    if (token != null) {
      config.tokenLabel(token);
    } else {
      config.slotId(slot);
    }
    HsmCheckReport report;
    try (Progress progress = Progress.start("hsm-check")) {
      report =
          HsmCheck.run(
              config.build(),
              new ProgressListener() {
                @Override
                public void started(String check) {
                  progress.status("hsm-check: " + check + " ...");
                }
              });
    }
    PrintWriter out = spec.commandLine().getOut();
    if ("-".equals(jsonFile)) {
      out.println(report.toJson());
    } else {
      out.print(report.summary());
      if (jsonFile != null) {
        Files.writeString(Path.of(jsonFile), report.toJson(), StandardCharsets.UTF_8);
      }
    }
    if (htmlFile != null) {
      Files.writeString(htmlFile, report.toHtml(), StandardCharsets.UTF_8);
    }
    out.flush();
    if (report.passed()) {
      return ExitCodes.OK;
    }
    return report.tokenUnusable() ? ExitCodes.UNAVAILABLE : ExitCodes.FAILURE;
  }

  private PinSource pin() {
    if (pinSource != null) {
      return PinSource.fromUri(pinSource);
    }
    if (System.getenv(PIN_VARIABLE) != null) {
      return PinSource.environment(PIN_VARIABLE);
    }
    Console console = System.console();
    if (console == null || !console.isTerminal()) {
      throw new UserError("no PIN: give --pin-source env:NAME|file:/path or set " + PIN_VARIABLE);
    }
    char[] typed = console.readPassword("PIN for %s: ", token != null ? token : "slot " + slot);
    if (typed == null || typed.length == 0) {
      throw new UserError("no PIN given");
    }
    try {
      return PinSource.of(typed);
    } finally {
      Arrays.fill(typed, '\0');
    }
  }

  private static HsmConfig.Backend backendNamed(String name) {
    try {
      return HsmConfig.Backend.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UserError("unknown backend '" + name + "': ffm, sunpkcs11 or iaik");
    }
  }
}
