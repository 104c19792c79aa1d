package com.plugsky.crypto.cli;

import java.io.PrintStream;
import java.util.Arrays;

/** Entry point of the {@code plugsky-crypto} command. Exit codes: 0 ok, 1 crypto failure, 2 usage, 3 unavailable. */
public final class PlugskyCrypto {
  static final int OK = 0;
  static final int USAGE = 2;

  private PlugskyCrypto() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      out.print(usage());
      return args.length == 0 ? USAGE : OK;
    }
    return switch (args[0]) {
      case "selftest" -> SelfTest.run(Arrays.copyOfRange(args, 1, args.length), out, err);
      default -> {
        err.println("plugsky-crypto: unknown command '" + args[0] + "'; try --help");
        yield USAGE;
      }
    };
  }

  static String usage() {
    return """
        Usage: plugsky-crypto COMMAND [OPTIONS]

        Commands:
          selftest [--require ENGINE,...] [--fips]
                   Lists every AES-256-GCM engine found, runs its known-answer test, shows which
                   engine serves each message size and buffer kind, and round-trips a message on
                   each. Exits 3 when an engine named by --require (or, with --fips, any
                   FIPS-approved engine) is unavailable, 1 when a round trip fails.

        Exit codes: 0 ok, 1 crypto failure, 2 usage, 3 unavailable backend.
        """;
  }
}
