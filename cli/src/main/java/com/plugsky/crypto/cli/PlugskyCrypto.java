package com.plugsky.crypto.cli;

import com.plugsky.crypto.cli.bench.BenchCommand;
import com.plugsky.crypto.cli.hsm.HsmCheckCommand;
import com.plugsky.crypto.cli.message.DecryptCommand;
import com.plugsky.crypto.cli.message.EncryptCommand;
import com.plugsky.crypto.cli.message.InspectCommand;
import com.plugsky.crypto.cli.message.RewrapCommand;
import com.plugsky.crypto.cli.selftest.SelfTestCommand;
import com.plugsky.crypto.cli.terminal.Terminal;
import com.plugsky.crypto.cli.tls.TlsCommand;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Entry point of the {@code plugsky-crypto} command. Each command is one class listed in {@code
 * subcommands}; a new command is one more class and one more entry.
 */
@Command(
    name = "plugsky-crypto",
    mixinStandardHelpOptions = true,
    versionProvider = PlugskyCrypto.Version.class,
    description = "Envelope encryption under local, HSM and KMS keys, benchmarks and self-tests.",
    subcommands = {
      EncryptCommand.class,
      DecryptCommand.class,
      InspectCommand.class,
      RewrapCommand.class,
      HsmCheckCommand.class,
      TlsCommand.class,
      BenchCommand.class,
      SelfTestCommand.class,
      CompletionCommand.class,
      CommandLine.HelpCommand.class
    },
    footerHeading = "%n",
    footer = {
      "Examples:",
      "  echo hi | plugsky-crypto encrypt | plugsky-crypto decrypt",
      "  plugsky-crypto encrypt --key local:orders --context tenant=acme -o orders.pse orders.csv",
      "  plugsky-crypto inspect --json orders.pse",
      "  plugsky-crypto hsm-check --module /usr/lib/softhsm/libsofthsm2.so --token dev --pin-source env:PIN",
      "  plugsky-crypto tls serve --cert server.crt --key server.key",
      "  plugsky-crypto selftest",
      "",
      ExitCodes.FOOTER
    })
public final class PlugskyCrypto implements Runnable {
  static final String VERBOSE = "--verbose";

  @Spec CommandSpec spec;

  // Read before parsing (see run), declared here so that --help lists it and parsing accepts it.
  @Option(
      names = VERBOSE,
      scope = CommandLine.ScopeType.INHERIT,
      description = "On failure, print the cause chain and stack trace as well as the one-line error.")
  boolean verbose;

  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(args, out, err));
  }

  /** Runs one command line and returns its exit code (see {@link ExitCodes}). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    boolean verbose = Arrays.asList(args).contains(VERBOSE);
    CommandLine commandLine = new CommandLine(new PlugskyCrypto());
    commandLine
        .setOut(new PrintWriter(out, true, StandardCharsets.UTF_8))
        .setErr(new PrintWriter(err, true, StandardCharsets.UTF_8))
        .setColorScheme(CommandLine.Help.defaultColorScheme(Terminal.stdoutAnsi()))
        .setUsageHelpAutoWidth(true)
        .setParameterExceptionHandler(new Failures.UsageHandler(verbose))
        .setExecutionExceptionHandler(new Failures.ExecutionHandler(verbose))
        .setExitCodeExceptionMapper(ExitCodes::of);
    // bench passes JMH's options (-p, -prof, -f, ...) through after the families.
    commandLine.getSubcommands().get("bench").setUnmatchedOptionsArePositionalParams(true);
    return commandLine.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = PlugskyCrypto.class.getPackage().getImplementationVersion();
      return new String[] {
        "plugsky-crypto " + (version == null ? "(development build)" : version),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
      };
    }
  }
}
